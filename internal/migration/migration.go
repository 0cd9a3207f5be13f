// Package migration reads a store's numbered schema migrations: the SQL
// files NNNN_what.sql each store embeds. Each store applies them in its
// own dialect and transaction.
package migration

import (
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// Step is one migration of a schema.
type Step struct {
	Version int
	Name    string
	SQL     string
}

// Read returns the *.sql files of fsys in version order. Every name must
// start with a positive version number, and no two with the same one.
func Read(fsys fs.FS) ([]Step, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	var steps []Step
	for _, name := range names {
		prefix, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name does not start with a positive version number", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		steps = append(steps, Step{Version: v, Name: name, SQL: string(b)})
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("no migrations")
	}
	slices.SortFunc(steps, func(a, b Step) int { return a.Version - b.Version })
	for i := 1; i < len(steps); i++ {
		if steps[i].Version == steps[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s have the same version", steps[i-1].Name, steps[i].Name)
		}
	}
	return steps, nil
}
