// Package sample picks the next token from logits as llama.cpp's default
// sampler chain does: repetition penalties, then top-k, top-p and min-p on
// the probabilities, then temperature, then a seeded draw. A temperature of
// zero or below picks the most likely token (after the penalties).
package sample

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Params configure a Sampler. The zero value is greedy decoding.
type Params struct {
	Temperature float32 // <= 0: greedy
	TopK        int     // keep the k most likely (0: all)
	TopP        float32 // keep the smallest set whose probability reaches p (0 or 1: all)
	MinP        float32 // drop tokens below MinP × the top probability (0: none)

	RepeatPenalty    float32 // divide positive / multiply negative logits of recent tokens (1 or 0: off)
	FrequencyPenalty float32 // subtract count × this from recent tokens' logits
	PresencePenalty  float32 // subtract this from logits of tokens seen recently
	PenaltyLastN     int     // how many recent tokens the penalties look at (0: 64)

	Seed uint64
}

// Defaults are llama.cpp's command-line defaults.
var Defaults = Params{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1, PenaltyLastN: 64}

// Sampler holds the parameters, the random state and the recent tokens.
type Sampler struct {
	p       Params
	rng     *rand.Rand
	history []int32
	cand    []candidate
}

type candidate struct {
	id    int32
	logit float32
	p     float32
}

// New returns a sampler.
func New(p Params) *Sampler {
	if p.PenaltyLastN == 0 {
		p.PenaltyLastN = 64
	}
	return &Sampler{p: p, rng: rand.New(rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15))}
}

// Accept records a token (from the prompt or generated) for the penalties.
func (s *Sampler) Accept(id int32) {
	s.history = append(s.history, id)
	if over := len(s.history) - s.p.PenaltyLastN; over > 4*s.p.PenaltyLastN {
		s.history = append(s.history[:0], s.history[over:]...)
	}
}

// Sample picks a token from logits (which it does not modify).
func (s *Sampler) Sample(logits []float32) int32 {
	c := s.cand[:0]
	for i, l := range logits {
		c = append(c, candidate{id: int32(i), logit: l})
	}
	s.cand = c
	s.penalize(c)
	if s.p.Temperature <= 0 {
		best := 0
		for i := range c {
			if c[i].logit > c[best].logit {
				best = i
			}
		}
		return c[best].id
	}
	slices.SortStableFunc(c, func(a, b candidate) int {
		if a.logit > b.logit {
			return -1
		}
		if a.logit < b.logit {
			return 1
		}
		return 0
	})
	if k := s.p.TopK; k > 0 && k < len(c) {
		c = c[:k]
	}
	softmax(c, 1)
	if p := s.p.TopP; p > 0 && p < 1 {
		var cum float32
		for i := range c {
			cum += c[i].p
			if cum >= p {
				c = c[:i+1]
				break
			}
		}
	}
	if m := s.p.MinP; m > 0 && len(c) > 1 {
		limit := m * c[0].p
		n := 1
		for n < len(c) && c[n].p >= limit {
			n++
		}
		c = c[:n]
	}
	softmax(c, s.p.Temperature)
	r := s.rng.Float32()
	var cum float32
	for _, x := range c {
		cum += x.p
		if r < cum {
			return x.id
		}
	}
	return c[len(c)-1].id
}

// penalize applies the repetition, frequency and presence penalties to
// the tokens among the last PenaltyLastN accepted.
func (s *Sampler) penalize(c []candidate) {
	rp, fp, pp := s.p.RepeatPenalty, s.p.FrequencyPenalty, s.p.PresencePenalty
	if (rp == 0 || rp == 1) && fp == 0 && pp == 0 {
		return
	}
	recent := s.history[max(0, len(s.history)-s.p.PenaltyLastN):]
	counts := map[int32]int{}
	for _, id := range recent {
		counts[id]++
	}
	for id, n := range counts {
		if id < 0 || int(id) >= len(c) {
			continue
		}
		l := &c[id].logit
		if rp != 0 && rp != 1 {
			if *l <= 0 {
				*l *= rp
			} else {
				*l /= rp
			}
		}
		*l -= float32(n)*fp + pp
	}
}

// softmax fills p from logit/temperature.
func softmax(c []candidate, temp float32) {
	mx := float32(math.Inf(-1))
	for _, x := range c {
		mx = max(mx, x.logit/temp)
	}
	var sum float64
	for i := range c {
		c[i].p = float32(math.Exp(float64(c[i].logit/temp - mx)))
		sum += float64(c[i].p)
	}
	for i := range c {
		c[i].p = float32(float64(c[i].p) / sum)
	}
}
