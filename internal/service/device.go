package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/frostyhq/frosty/internal/manifest"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// The buckets of Frosty's download namespace: every presigned URL the API
// hands out points into one of these, and the server serves them itself.
const (
	ManifestBucket = "awsie-frosty-manifests-prod"
	UpdatesBucket  = "snowball-software-updates"
	LogsBucket     = "snowball-job-logs"
	LabelsBucket   = "snowball-return-labels"
)

// How long each kind of presigned URL lasts (BEHAVIOR.md §6).
const (
	ManifestURLExpiry = time.Hour
	UpdatesURLExpiry  = 48 * time.Hour
	LogsURLExpiry     = time.Hour
	LabelURLExpiry    = time.Hour
	// ReturnLabelLifetime is how long a return shipping label stays valid.
	ReturnLabelLifetime = 30 * 24 * time.Hour
)

// NoSuchKey is the code Download returns for an object that does not exist.
const NoSuchKey = "NoSuchKey"

// deviceJob loads a job of owner that has a device and checks it is
// WithCustomer, the only state in which the device's files are handed out.
func deviceJob(ctx context.Context, tx snowball.Tx, owner snowball.Owner, id, op string) (*snowball.Job, error) {
	j, err := ownJob(ctx, tx, owner, id)
	if err != nil {
		return nil, err
	}
	if !j.HasDevice() {
		return nil, snowball.Errorf(snowball.InvalidJobState,
			"The job %s is an export job's main job and has no device; call %s on its job parts.", j.ID, op)
	}
	if j.State != model.JobStateWithCustomer {
		return nil, invalidState(j, op, "WithCustomer")
	}
	return j, nil
}

func (s *Service) viewDeviceJob(ctx context.Context, id, op string, checkExpiry bool) (*snowball.Job, error) {
	var j *snowball.Job
	err := s.view(ctx, op, func(tx snowball.Tx, owner snowball.Owner) error {
		var err error
		j, err = deviceJob(ctx, tx, owner, id, op)
		return err
	})
	if err != nil {
		return nil, err
	}
	if checkExpiry && credentialsExpired(j, s.now()) {
		return nil, snowball.Errorf(snowball.InvalidJobState,
			"The credentials of job %s expired on %s, 360 days after the job was created.", j.ID, j.CreatedAt.Add(manifest.CredentialLifetime).Format(time.RFC3339))
	}
	return j, nil
}

// GetJobManifest returns a presigned URL to the job's encrypted manifest,
// valid for an hour.
// Errors: InvalidResourceException, InvalidJobStateException.
func (s *Service) GetJobManifest(ctx context.Context, in *model.GetJobManifestRequest) (*model.GetJobManifestResult, error) {
	j, err := s.viewDeviceJob(ctx, *in.JobId, "GetJobManifest", true)
	if err != nil {
		return nil, err
	}
	u, err := s.presign.Presign(j.Owner.Region(), ManifestBucket, j.ID+"_manifest.bin", ManifestURLExpiry)
	if err != nil {
		return nil, err
	}
	return &model.GetJobManifestResult{ManifestURI: &u}, nil
}

// GetJobUnlockCode returns the code that opens the job's manifest.
// Errors: InvalidResourceException, InvalidJobStateException.
func (s *Service) GetJobUnlockCode(ctx context.Context, in *model.GetJobUnlockCodeRequest) (*model.GetJobUnlockCodeResult, error) {
	j, err := s.viewDeviceJob(ctx, *in.JobId, "GetJobUnlockCode", true)
	if err != nil {
		return nil, err
	}
	return &model.GetJobUnlockCodeResult{UnlockCode: &j.UnlockCode}, nil
}

// GetSoftwareUpdates returns a presigned URL to the device's software
// update, valid for two days.
// Errors: InvalidResourceException, InvalidJobStateException.
func (s *Service) GetSoftwareUpdates(ctx context.Context, in *model.GetSoftwareUpdatesRequest) (*model.GetSoftwareUpdatesResult, error) {
	j, err := s.viewDeviceJob(ctx, *in.JobId, "GetSoftwareUpdates", false)
	if err != nil {
		return nil, err
	}
	u, err := s.presign.Presign(j.Owner.Region(), UpdatesBucket, j.ID+"/update.bin", UpdatesURLExpiry)
	if err != nil {
		return nil, err
	}
	return &model.GetSoftwareUpdatesResult{UpdatesURI: &u}, nil
}

// jobLogs presigns the three job log URLs afresh.
func (s *Service) jobLogs(j *snowball.Job) (*model.JobLogs, error) {
	var urls [3]string
	for i, suffix := range []string{"_job_report.pdf", "_success_log.csv", "_failure_log.csv"} {
		u, err := s.presign.Presign(j.Owner.Region(), LogsBucket, j.ID+suffix, LogsURLExpiry)
		if err != nil {
			return nil, err
		}
		urls[i] = u
	}
	return &model.JobLogs{JobCompletionReportURI: &urls[0], JobSuccessLogURI: &urls[1], JobFailureLogURI: &urls[2]}, nil
}

// CreateReturnShippingLabel asks for a return label for a device that is
// with the customer. The label is ready (Succeeded) by the time it is next
// described.
// Errors: InvalidResourceException, InvalidJobStateException,
// ConflictException, ReturnShippingLabelAlreadyExistsException.
func (s *Service) CreateReturnShippingLabel(ctx context.Context, in *model.CreateReturnShippingLabelRequest) (*model.CreateReturnShippingLabelResult, error) {
	err := s.update(ctx, "create return shipping label", func(tx snowball.Tx, owner snowball.Owner) error {
		j, err := deviceJob(ctx, tx, owner, *in.JobId, "CreateReturnShippingLabel")
		if err != nil {
			return err
		}
		now := s.now()
		if l := j.ReturnLabel; l != nil {
			switch {
			case l.Status == model.ShippingLabelStatusInProgress:
				e := snowball.Errorf(snowball.Conflict, "A return shipping label request is already in progress for job %s.", j.ID)
				e.ConflictResource = j.ID
				return e
			case l.Status == model.ShippingLabelStatusSucceeded && now.Before(l.ExpiresAt):
				return snowball.Errorf(snowball.ReturnShippingLabelAlreadyExists,
					"A valid return shipping label already exists for job %s. Use DescribeReturnShippingLabel to get the URL.", j.ID)
			}
		}
		option := model.Deref(in.ShippingOption)
		if option == "" && j.Metadata.ShippingDetails != nil {
			option = model.Deref(j.Metadata.ShippingDetails.ShippingOption)
		}
		j.ReturnLabel = &snowball.ReturnLabel{Status: model.ShippingLabelStatusInProgress, ShippingOption: option, CreatedAt: now, ExpiresAt: now.Add(ReturnLabelLifetime)}
		return tx.PutJob(ctx, j)
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateReturnShippingLabelResult{Status: model.Ptr(model.ShippingLabelStatusInProgress)}, nil
}

// DescribeReturnShippingLabel reports a job's return label; a label in
// progress is finished here, and an expired one reads TimedOut.
// Errors: InvalidResourceException, InvalidJobStateException, ConflictException.
func (s *Service) DescribeReturnShippingLabel(ctx context.Context, in *model.DescribeReturnShippingLabelRequest) (*model.DescribeReturnShippingLabelResult, error) {
	var label snowball.ReturnLabel
	var region, jobID string
	err := s.update(ctx, "describe return shipping label", func(tx snowball.Tx, owner snowball.Owner) error {
		j, err := ownJob(ctx, tx, owner, *in.JobId)
		if err != nil {
			return err
		}
		if j.State != model.JobStateWithCustomer && j.State != model.JobStateInTransitToAWS {
			return invalidState(j, "DescribeReturnShippingLabel", "WithCustomer or InTransitToAWS")
		}
		if j.ReturnLabel == nil {
			e := snowball.Errorf(snowball.InvalidResource, "No return shipping label was requested for job %s; call CreateReturnShippingLabel first.", j.ID)
			e.ResourceType = snowball.ResourceJob
			return e
		}
		l := j.ReturnLabel
		before := l.Status
		if l.Status == model.ShippingLabelStatusInProgress && s.labelReady(l) {
			l.Status = model.ShippingLabelStatusSucceeded
		}
		// A label first described after it expired is already TimedOut.
		if l.Status == model.ShippingLabelStatusSucceeded && !s.now().Before(l.ExpiresAt) {
			l.Status = model.ShippingLabelStatusTimedOut
		}
		label, region, jobID = *l, j.Owner.Region(), j.ID
		if l.Status == before {
			return nil
		}
		return tx.PutJob(ctx, j)
	})
	if err != nil {
		return nil, err
	}
	out := &model.DescribeReturnShippingLabelResult{Status: model.Ptr(label.Status)}
	if label.Status == model.ShippingLabelStatusInProgress {
		return out, nil
	}
	out.ExpirationDate = model.NewTimestamp(label.ExpiresAt)
	if label.Status == model.ShippingLabelStatusSucceeded {
		u, err := s.presign.Presign(region, LabelsBucket, jobID+"_return_label.pdf", LabelURLExpiry)
		if err != nil {
			return nil, err
		}
		out.ReturnShippingLabelURI = &u
	}
	return out, nil
}

// labelReady reports whether a label in progress is done: at once in the
// manual lifecycle, after the profile's delay in the timed one.
func (s *Service) labelReady(l *snowball.ReturnLabel) bool {
	t := s.cfg.Timed
	return t == nil || !s.now().Before(l.CreatedAt.Add(t.Scaled(time.Duration(t.Profile.ReturnLabel))))
}

// Object is a file of the download namespace.
type Object struct {
	ContentType string
	Body        []byte
}

// Download returns the object a presigned URL points at. The caller has
// verified the URL's signature, which is the only authority needed: like
// S3, a valid URL works whoever holds it. A job's manifest is sealed on its
// first download and stored, and the stored file served from then on; a
// download waiting for a seal gives up when ctx is done.
// Errors: NoSuchKey.
func (s *Service) Download(ctx context.Context, bucket, key string) (*Object, error) {
	jobID, file, ok := splitObjectKey(bucket, key)
	if !ok {
		return nil, snowball.Errorf(NoSuchKey, "The specified key does not exist.")
	}
	var j *snowball.Job
	var sealed []byte // the stored manifest
	err := s.store.View(ctx, func(tx snowball.Tx) error {
		var err error
		j, err = tx.Job(ctx, jobID)
		if snowball.IsNotFound(err) || (err == nil && !j.HasDevice()) {
			return snowball.Errorf(NoSuchKey, "The specified key does not exist.")
		}
		if err != nil || file != "manifest" {
			return err
		}
		if sealed, err = tx.SealedManifest(ctx, jobID); snowball.IsNotFound(err) {
			err = nil
		}
		return err
	})
	if err != nil {
		return nil, wrap("download", err)
	}
	switch file {
	case "manifest":
		if sealed == nil {
			if sealed, err = s.manifestFile(ctx, j); err != nil {
				return nil, wrap("download", err)
			}
		}
		return &Object{ContentType: "application/octet-stream", Body: sealed}, nil
	case "update":
		return &Object{ContentType: "application/octet-stream", Body: softwareUpdate(j)}, nil
	case "report":
		return &Object{ContentType: "application/pdf", Body: pdf(jobReport(j))}, nil
	case "success":
		return &Object{ContentType: "text/csv", Body: []byte("Timestamp,Key,Size,Status\n")}, nil
	case "failure":
		return &Object{ContentType: "text/csv", Body: []byte("Timestamp,Key,Size,Error\n")}, nil
	case "label":
		return &Object{ContentType: "application/pdf", Body: pdf(returnLabel(j))}, nil
	}
	return nil, snowball.Errorf(NoSuchKey, "The specified key does not exist.")
}

// splitObjectKey maps bucket and key back to the job and the kind of file.
func splitObjectKey(bucket, key string) (jobID, file string, ok bool) {
	suffixes := map[string]map[string]string{
		ManifestBucket: {"_manifest.bin": "manifest"},
		UpdatesBucket:  {"/update.bin": "update"},
		LogsBucket:     {"_job_report.pdf": "report", "_success_log.csv": "success", "_failure_log.csv": "failure"},
		LabelsBucket:   {"_return_label.pdf": "label"},
	}[bucket]
	for suffix, kind := range suffixes {
		if id, found := strings.CutSuffix(key, suffix); found && len(id) == 39 {
			return id, kind, true
		}
	}
	return "", "", false
}

// sealManifest builds and encrypts the job's manifest under its unlock code.
func (s *Service) sealManifest(j *snowball.Job) ([]byte, error) {
	var resources json.RawMessage
	if j.Metadata.Resources != nil {
		b, err := json.Marshal(j.Metadata.Resources)
		if err != nil {
			return nil, err
		}
		resources = b
	}
	doc := manifest.Document{
		JobID:        j.ID,
		JobType:      string(model.Deref(j.Metadata.JobType)),
		SnowballType: string(model.Deref(j.Metadata.SnowballType)),
		Capacity:     string(model.Deref(j.Metadata.SnowballCapacityPreference)),
		SnowballID:   j.SnowballID,
		ClusterID:    j.ClusterID,
		Resources:    resources,
		Device:       manifest.DeviceCredentials{AccessKeyID: j.DeviceKeyID, SecretAccessKey: j.DeviceSecret},
		CreatedAt:    j.CreatedAt,
		ExpiresAt:    j.CreatedAt.Add(manifest.CredentialLifetime),
	}
	return manifest.Seal(doc, j.UnlockCode, s.rand)
}

func softwareUpdate(j *snowball.Job) []byte {
	return fmt.Appendf(nil, "Frosty Snowball software update\njob: %s\ndevice: %s\nsnowball type: %s\nversion: 0.0.0-frosty\n",
		j.ID, j.SnowballID, model.Deref(j.Metadata.SnowballType))
}

func jobReport(j *snowball.Job) []string {
	return []string{
		"AWS Snowball job completion report (Frosty)",
		"Job ID: " + j.ID,
		"Job type: " + string(model.Deref(j.Metadata.JobType)),
		"State: " + string(j.State),
		"Snowball ID: " + j.SnowballID,
	}
}

func returnLabel(j *snowball.Job) []string {
	lines := []string{"Return shipping label (Frosty)", "Job ID: " + j.ID}
	if j.ReturnLabel != nil {
		lines = append(lines, "Shipping option: "+string(j.ReturnLabel.ShippingOption))
	}
	if j.Outbound != nil {
		lines = append(lines, "Outbound tracking: "+j.Outbound.TrackingNumber)
	}
	return lines
}
