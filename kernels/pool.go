package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Pool is a persistent set of worker goroutines: an operation is split into
// chunks that the workers (and the caller) take in turn, so no goroutine is
// started per operation.
//
// A decode step is hundreds of short operations with a little serial work
// between them, so a worker that has just finished one spins for the next
// for a while (spinFor) instead of parking at once: waking a parked
// goroutine costs tens of microseconds, a good part of a small matrix
// product. Workers park after spinFor without work, and do not spin at all
// when there are more threads than GOMAXPROCS.
type Pool struct {
	threads int
	spin    bool

	runMu sync.Mutex // one operation at a time; a nested Run runs inline
	cur   atomic.Pointer[job]
	seq   atomic.Uint64 // incremented when cur is set

	mu       sync.Mutex
	wake     *sync.Cond
	sleepers atomic.Int32
	closed   atomic.Bool
}

// spinFor is how long an idle worker polls for the next operation.
const spinFor = 300 * time.Microsecond

type job struct {
	n, chunk int
	next     atomic.Int64
	done     atomic.Int64 // items finished
	fn       func(lo, hi int)
}

// NewPool starts a pool of threads workers (the caller counts as one);
// threads <= 0 means one per core.
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	p := &Pool{threads: threads, spin: threads <= runtime.GOMAXPROCS(0)}
	p.wake = sync.NewCond(&p.mu)
	for range threads - 1 {
		go p.worker()
	}
	return p
}

// Threads returns the number of threads that run an operation.
func (p *Pool) Threads() int { return p.threads }

// Close stops the workers. The pool must not be used afterwards.
func (p *Pool) Close() {
	if p.closed.Swap(true) {
		return
	}
	p.mu.Lock()
	p.wake.Broadcast()
	p.mu.Unlock()
}

func (p *Pool) worker() {
	var seen uint64
	for {
		s := p.seq.Load()
		if s == seen && p.spin {
			deadline := time.Now().Add(spinFor)
			for i := 1; s == seen && !p.closed.Load(); i++ {
				if i%128 == 0 {
					if time.Now().After(deadline) {
						break
					}
					runtime.Gosched()
				}
				s = p.seq.Load()
			}
		}
		if s == seen {
			p.mu.Lock()
			p.sleepers.Add(1)
			for s = p.seq.Load(); s == seen && !p.closed.Load(); s = p.seq.Load() {
				p.wake.Wait()
			}
			p.sleepers.Add(-1)
			p.mu.Unlock()
		}
		if p.closed.Load() {
			return
		}
		seen = s
		if j := p.cur.Load(); j != nil {
			j.work()
		}
	}
}

func (j *job) work() {
	for {
		lo := int(j.next.Add(int64(j.chunk))) - j.chunk
		if lo >= j.n {
			return
		}
		hi := min(lo+j.chunk, j.n)
		j.fn(lo, hi)
		j.done.Add(int64(hi - lo))
	}
}

// Run calls fn on disjoint ranges covering [0, n) from all threads and
// returns when every range is done. Ranges are about n/(2·threads) long so
// that uneven progress still balances. While one operation holds the
// workers, a Run from another goroutine or from inside fn runs on its
// calling thread alone.
func (p *Pool) Run(n int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	chunk := max(1, (n+2*p.threads-1)/(2*p.threads))
	if p.threads == 1 || chunk >= n || !p.runMu.TryLock() {
		fn(0, n)
		return
	}
	defer p.runMu.Unlock()
	p.runParallel(n, chunk, fn)
}

func (p *Pool) runParallel(n, chunk int, fn func(lo, hi int)) {
	j := &job{n: n, chunk: chunk, fn: fn}
	p.cur.Store(j)
	p.seq.Add(1)
	if p.sleepers.Load() > 0 {
		p.mu.Lock()
		p.wake.Broadcast()
		p.mu.Unlock()
	}
	j.work()
	for i := 1; j.done.Load() < int64(n); i++ {
		if i%64 == 0 {
			runtime.Gosched()
		}
	}
	p.cur.Store(nil)
}
