package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// The catalogues, by their name in catalogue_entries.
const (
	cataloguePickupLocations  = "pickup_locations"
	catalogueCompatibleImages = "compatible_images"
	catalogueServiceVersions  = "service_versions"
)

func (t *tx) PickupLocations(ctx context.Context) ([]model.Address, error) {
	return catalogue[model.Address](ctx, t.q, cataloguePickupLocations)
}

func (t *tx) PutPickupLocations(ctx context.Context, l []model.Address) error {
	return putCatalogue(ctx, t.q, cataloguePickupLocations, l)
}

func (t *tx) CompatibleImages(ctx context.Context) ([]model.CompatibleImage, error) {
	return catalogue[model.CompatibleImage](ctx, t.q, catalogueCompatibleImages)
}

func (t *tx) PutCompatibleImages(ctx context.Context, l []model.CompatibleImage) error {
	return putCatalogue(ctx, t.q, catalogueCompatibleImages, l)
}

func (t *tx) ServiceVersions(ctx context.Context) ([]snowball.ServiceVersion, error) {
	return catalogue[snowball.ServiceVersion](ctx, t.q, catalogueServiceVersions)
}

func (t *tx) PutServiceVersions(ctx context.Context, l []snowball.ServiceVersion) error {
	return putCatalogue(ctx, t.q, catalogueServiceVersions, l)
}

// catalogue returns the entries of the catalogue name in the order put.
func catalogue[T any](ctx context.Context, q *conn, name string) ([]T, error) {
	rows, err := q.query(ctx, "SELECT doc FROM catalogue_entries WHERE catalogue = $1 ORDER BY seq", name)
	if err != nil {
		return nil, fmt.Errorf("list catalogue %s: %w", name, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("list catalogue %s: %w", name, err)
		}
		var e T
		if err := json.Unmarshal(doc, &e); err != nil {
			return nil, fmt.Errorf("list catalogue %s: decode: %w", name, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list catalogue %s: %w", name, err)
	}
	return out, nil
}

// putCatalogue replaces the entries of the catalogue name with l, in one
// statement: the documents go as one array, unnested in order.
func putCatalogue[T any](ctx context.Context, q *conn, name string, l []T) error {
	if _, err := q.exec(ctx, "DELETE FROM catalogue_entries WHERE catalogue = $1", name); err != nil {
		return fmt.Errorf("put catalogue %s: %w", name, err)
	}
	if len(l) == 0 {
		return nil
	}
	docs := make([]string, len(l))
	for i := range l {
		doc, err := json.Marshal(&l[i])
		if err != nil {
			return fmt.Errorf("put catalogue %s: encode: %w", name, err)
		}
		docs[i] = string(doc)
	}
	_, err := q.exec(ctx, `INSERT INTO catalogue_entries (catalogue, doc)
		SELECT $1, doc FROM unnest($2::text[]) WITH ORDINALITY AS d(doc, n) ORDER BY n`, name, docs)
	if err != nil {
		return fmt.Errorf("put catalogue %s: %w", name, err)
	}
	return nil
}
