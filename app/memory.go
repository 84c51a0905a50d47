package app

import "runtime/debug"

// ReleaseMemory hands the heap a job or a heavy request (an upload, an
// analysis, an export) left behind back to the operating system. Go's
// runtime returns it by itself only over minutes, so after a 100 MB
// upload a Raspberry Pi would carry the peak long after the work is done.
// It costs one garbage collection: a millisecond or two on an idle
// daemon's heap, at most every influx.flush_interval (the outbox job).
func ReleaseMemory() { debug.FreeOSMemory() }
