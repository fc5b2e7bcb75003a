// The names of package jobs under package exchange, so that callers keep
// their spelling after the split of issue 18. A name added to jobs that
// callers need through exchange is added here too.

package exchange

import "github.com/uifsagw/uifsagw/gateway/exchange/jobs"

// Job is a bulk action over a filtered set of messages.
type Job = jobs.Job

const JobCancelled = jobs.JobCancelled

const JobDone = jobs.JobDone

const JobFailed = jobs.JobFailed

const JobRunning = jobs.JobRunning
