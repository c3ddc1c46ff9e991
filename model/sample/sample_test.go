package sample

import (
	"math"
	"testing"
)

func TestGreedy(t *testing.T) {
	s := New(Params{})
	if got := s.Sample([]float32{0.1, 3, -1, 2.9}); got != 1 {
		t.Errorf("greedy picked %d", got)
	}
	// A repetition penalty moves greedy off a repeated token.
	s = New(Params{RepeatPenalty: 1.5})
	s.Accept(1)
	if got := s.Sample([]float32{0.1, 3, -1, 2.9}); got != 3 {
		t.Errorf("penalised greedy picked %d", got)
	}
}

func TestPenalties(t *testing.T) {
	s := New(Params{RepeatPenalty: 2, FrequencyPenalty: 0.5, PresencePenalty: 0.25})
	for _, id := range []int32{0, 0, 2} {
		s.Accept(id)
	}
	c := []candidate{{0, 4, 0}, {1, 4, 0}, {2, -2, 0}}
	s.penalize(c)
	want := []float32{4/2.0 - 2*0.5 - 0.25, 4, -2*2 - 0.5 - 0.25}
	for i := range c {
		if math.Abs(float64(c[i].logit-want[i])) > 1e-6 {
			t.Errorf("token %d: %v, want %v", i, c[i].logit, want[i])
		}
	}
}

// TestDistribution draws many times and checks the frequencies follow the
// tempered, filtered distribution.
func TestDistribution(t *testing.T) {
	logits := []float32{2, 1, 0, -5}
	s := New(Params{Temperature: 1, TopK: 3, Seed: 42})
	counts := make([]int, len(logits))
	const n = 200000
	for range n {
		counts[s.Sample(logits)]++
	}
	if counts[3] != 0 {
		t.Errorf("top-k let token 3 through %d times", counts[3])
	}
	z := math.Exp(2) + math.Exp(1) + math.Exp(0)
	for i, want := range []float64{math.Exp(2) / z, math.Exp(1) / z, 1 / z} {
		got := float64(counts[i]) / n
		if math.Abs(got-want) > 0.01 {
			t.Errorf("token %d: frequency %.3f, want %.3f", i, got, want)
		}
	}
	// min-p 0.5 keeps only tokens with at least half the top probability.
	s = New(Params{Temperature: 1, MinP: 0.5, Seed: 1})
	for range 1000 {
		if id := s.Sample(logits); id != 0 {
			t.Fatalf("min-p let token %d through", id)
		}
	}
	// top-p 0.7 keeps tokens 0 and 1 (0.665 + 0.245 ≥ 0.7).
	s = New(Params{Temperature: 1, TopP: 0.7, Seed: 2})
	for range 1000 {
		if id := s.Sample(logits); id > 1 {
			t.Fatalf("top-p let token %d through", id)
		}
	}
	// The same seed gives the same draws.
	a, b := New(Params{Temperature: 1, Seed: 7}), New(Params{Temperature: 1, Seed: 7})
	for range 100 {
		if a.Sample(logits) != b.Sample(logits) {
			t.Fatal("same seed, different draws")
		}
	}
}
