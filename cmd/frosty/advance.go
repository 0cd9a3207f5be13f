package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/frostyhq/frosty/internal/model"
)

func runAdvance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("advance", stderr)
	job := fs.String("job", "", "the JobId to move")
	cluster := fs.String("cluster", "", "the ClusterId to move (instead of --job)")
	to := fs.String("to", "", "the state to move to (the states between are passed through)")
	endpoint := fs.String("endpoint", "http://127.0.0.1:4590", "the running frosty serve")
	token := fs.String("admin-token", "", "the operator token (default: read from --data)")
	data := fs.String("data", "./frosty-data", "the data directory of the running server, to read its admin token from")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*job == "") == (*cluster == "") || *to == "" {
		return fmt.Errorf("%w: advance needs --to STATE and one of --job ID or --cluster ID", errUsage)
	}
	if err := checkState(*to, *cluster != ""); err != nil {
		return err
	}
	path := "/_frosty/jobs/" + *job + "/advance"
	if *cluster != "" {
		path = "/_frosty/clusters/" + *cluster + "/advance"
	}
	body, _ := json.Marshal(map[string]string{"to": *to})
	var out map[string]string
	status, err := operatorCall(ctx, http.MethodPost, *endpoint, path, *token, *data, bytes.NewReader(body), &out)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", status, out["message"])
	}
	if *job != "" {
		fmt.Fprintf(stdout, "%s %s\n", out["JobId"], out["JobState"])
	} else {
		fmt.Fprintf(stdout, "%s %s\n", out["ClusterId"], out["ClusterState"])
	}
	return nil
}

// checkState refuses a --to that names no state, before asking the server.
func checkState(to string, cluster bool) error {
	if cluster {
		if !slices.Contains(model.ClusterState("").Values(), model.ClusterState(to)) {
			return fmt.Errorf("%w: --to %q is not a cluster state; the operator moves a cluster to %s", errUsage, to, model.ClusterStatePending)
		}
		return nil
	}
	states := model.JobState("").Values()
	if !slices.Contains(states, model.JobState(to)) {
		names := make([]string, len(states))
		for i, s := range states {
			names[i] = string(s)
		}
		return fmt.Errorf("%w: --to %q is not a job state; the job states are %s", errUsage, to, strings.Join(names, ", "))
	}
	return nil
}
