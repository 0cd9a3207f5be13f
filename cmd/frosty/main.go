// Command frosty is an emulator of the AWS Snowball Job Management API.
//
//	frosty serve     run the API on an embedded store
//	frosty advance   move a job (or cluster) along its state machine, as AWS would
//	frosty events    print a job's (or cluster's) history as a timeline
//	frosty unlock    decrypt a downloaded manifest with its unlock code
//	frosty version   print the version
//
// Exit codes: 0 ok, 1 error (one line on stderr), 2 usage.
package main

import (
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
  unlock    decrypt a downloaded manifest with its unlock code
  version   print the version

Run 'frosty <command> -h' for a command's flags.
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
	case "events":
		err = runEvents(ctx, rest, stdout, stderr)
	case "unlock":
		err = runUnlock(ctx, rest, stdout, stderr)
	case "version":
		err = runVersion(ctx, rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "frosty: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
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

// newFlagSet returns a FlagSet that reports errors as usage errors and
// prints its help to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("frosty "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, then lets FROSTY_<NAME> environment variables set
// every flag not given on the command line.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		env := "FROSTY_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok && !set[f.Name] && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%w: %s: %v", errUsage, env, e)
			}
		}
	})
	return err
}
