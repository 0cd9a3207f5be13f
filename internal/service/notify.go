package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// JobNotification is the body of every notification: what the job's owner
// needs to act on a state change.
type JobNotification struct {
	JobID         string `json:"JobId"`
	JobState      string `json:"JobState"`
	PreviousState string `json:"PreviousJobState,omitempty"`
	JobType       string `json:"JobType,omitempty"`
	Description   string `json:"Description,omitempty"`
	ClusterID     string `json:"ClusterId,omitempty"`
	AccountID     string `json:"AccountId"`
	Region        string `json:"Region"`
	Time          string `json:"Time"`
	Cause         string `json:"Cause"`
	Message       string `json:"Message"`
}

// notify queues, in the transaction of the transition e records, a message
// for each configured target when j's Notification asks for e's state.
func (s *Service) notify(ctx context.Context, tx snowball.Tx, j *snowball.Job, e *snowball.Event) error {
	n := j.Metadata.Notification
	if n == nil || (!model.Deref(n.NotifyAll) && !slices.Contains(n.JobStatesToNotify, model.JobState(e.To))) {
		return nil
	}
	body := JobNotification{
		JobID: j.ID, JobState: e.To, PreviousState: e.From, JobType: string(model.Deref(j.Metadata.JobType)),
		Description: model.Deref(j.Metadata.Description), ClusterID: j.ClusterID,
		AccountID: j.Owner.Account, Region: j.Owner.Region(), Time: e.At.UTC().Format(time.RFC3339Nano), Cause: string(e.Cause),
		Message: fmt.Sprintf("Your AWS Snowball job %s is now %s.", j.ID, e.To),
	}
	if e.From != "" {
		body.Message = fmt.Sprintf("Your AWS Snowball job %s changed from %s to %s.", j.ID, e.From, e.To)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	queue := func(target, topic string) error {
		return tx.InsertMessage(ctx, &snowball.Message{
			ID: fmt.Sprintf("%d/%s", e.Seq, target), Target: target, Account: j.Owner.Account, TopicARN: topic,
			Subject: fmt.Sprintf("Snowball job %s is now %s", j.ID, e.To), Body: string(b),
			CreatedAt: e.At, NextAttempt: e.At,
		})
	}
	if topic := model.Deref(n.SnsTopicARN); s.cfg.NotifySNS && topic != "" {
		if err := queue(snowball.MessageTargetSNS, topic); err != nil {
			return err
		}
	}
	if s.cfg.NotifyWebhook {
		return queue(snowball.MessageTargetWebhook, model.Deref(n.SnsTopicARN))
	}
	return nil
}
