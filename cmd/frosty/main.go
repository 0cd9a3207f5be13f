// Command frosty is an emulator of the AWS Snowball Job Management API.
//
//	frosty serve     run the API on an embedded store
//	frosty advance   move a job (or cluster) along its state machine, as AWS would
//	frosty events    print a job's (or cluster's) history as a timeline
//	frosty clock     show or move the operator clock
//	frosty faults    make calls fail on purpose: add, list, delete, clear
//	frosty reset     forget the addresses, jobs and clusters of one account, or of all
//	frosty seed      create addresses, jobs, clusters and catalogues from a seed file
//	frosty unlock    decrypt a downloaded manifest with its unlock code
//	frosty health    exit 0 when a running server is healthy (a container's healthcheck)
//	frosty bench     measure calls against their ceilings, measured in the same run
//	frosty version   print the version (also frosty --version)
//
// Exit codes: 0 ok, 1 error (one line on stderr), 2 usage.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks an error of the command line: exit code 2.
var errUsage = errors.New("usage")

const usage = `usage: frosty <command> [flags]

commands:
  serve     run the Snowball API (embedded SQLite store)
  advance   move a job or cluster forward, as the AWS side would
  events    print a job's or cluster's history: frosty events JID...
  clock     show or move the operator clock: frosty clock --advance 360d
  faults    make calls fail on purpose: frosty faults add --operation CreateJob --error ThrottlingException
  reset     forget every account's records, or one's: frosty reset [--account ID]
  seed      create records and catalogues from a seed file: frosty seed FILE
  unlock    decrypt a downloaded manifest with its unlock code
  health    exit 0 when a running server is healthy (a container's healthcheck)
  bench     measure each call's throughput against its ceiling, in the same run
  version   print the version (also: frosty --version)

Run 'frosty <command> -h' (or 'frosty help <command>') for a command's flags.
Every flag can also be set by an environment variable: --admin-token by
FROSTY_ADMIN_TOKEN, and so on; a flag on the command line wins.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		err = runServe(ctx, rest, stdout, stderr)
	case "advance":
		err = runAdvance(ctx, rest, stdout, stderr)
	case "clock":
		err = runClock(ctx, rest, stdout, stderr)
	case "faults":
		err = runFaults(ctx, rest, stdout, stderr)
	case "events":
		err = runEvents(ctx, rest, stdout, stderr)
	case "reset":
		err = runReset(ctx, rest, stdout, stderr)
	case "seed":
		err = runSeed(ctx, rest, stdout, stderr)
	case "unlock":
		err = runUnlock(ctx, rest, stdout, stderr)
	case "health":
		err = runHealth(ctx, rest, stdout, stderr)
	case "bench":
		err = runBench(ctx, rest, stdout, stderr)
	case "version", "-version", "--version":
		err = runVersion(ctx, rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		if cmd == "help" && len(rest) > 0 {
			return run(ctx, []string{rest[0], "-h"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "frosty: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	var help helpText
	switch {
	case errors.As(err, &help):
		fmt.Fprint(stdout, string(help))
		return 0
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "frosty: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "frosty: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		return 1
	}
}

// newFlagSet returns a FlagSet that reports errors as usage errors, on
// stderr. Its help (-h) lists each flag's FROSTY_ variable, and parseFlags
// hands it to run for stdout.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("frosty "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { printFlags(fs) }
	return fs
}

// helpText is the help a command's -h asked for: run prints it on stdout
// and exits 0.
type helpText string

func (helpText) Error() string { return "help requested" }
func (helpText) Unwrap() error { return flag.ErrHelp }

// envName is the environment variable that sets flag name.
func envName(name string) string {
	return "FROSTY_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// printFlags writes a command's help: every flag, with its variable.
func printFlags(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintf(w, "Flags of %s (each also read from the environment variable shown, unless given\non the command line):\n\n", fs.Name())
	fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + arg
		}
		switch {
		case f.DefValue == "" || f.DefValue == "0" || f.DefValue == "0s" || f.DefValue == "false":
		case arg == " string":
			text += fmt.Sprintf(" (default %q)", f.DefValue)
		default:
			text += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "  --%-26s %s\n      %s\n", f.Name+arg, envName(f.Name), text)
	})
}

// parseFlags parses args, then lets FROSTY_<NAME> environment variables set
// every flag not given on the command line.
func parseFlags(fs *flag.FlagSet, args []string) error {
	// The flag package writes help and errors alike to its output; help
	// belongs on stdout, so hold what it writes until it is known which.
	out := fs.Output()
	var held bytes.Buffer
	fs.SetOutput(&held)
	perr := fs.Parse(args)
	fs.SetOutput(out)
	if perr != nil {
		if errors.Is(perr, flag.ErrHelp) {
			return helpText(held.String())
		}
		out.Write(held.Bytes())
		return fmt.Errorf("%w: %v", errUsage, perr)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		env := envName(f.Name)
		if v, ok := os.LookupEnv(env); ok && !set[f.Name] && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%w: %s: %v", errUsage, env, e)
			}
		}
	})
	return err
}
