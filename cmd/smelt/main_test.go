package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smeltlm/smelt/gguf"
)

func sharedModel(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "models", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("reference model %s is absent (%v); CI has it", p, err)
	}
	return p
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestInspectQ4KM(t *testing.T) {
	p := sharedModel(t, "llama-spm4k-q4_k_m.gguf")
	code, out, errOut := runCLI("inspect", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"tensors:    39 ", "type    f32:    9 tensors", "type   q4_K:   25 tensors", "type   q6_K:    5 tensors",
		`tokenizer.ggml.tokens                  arr[str,4096] = ["<unk>", "<s>", "</s>", "<0x00>", "<0x01>", ...]`,
		"blk.3.ffn_down.weight     q6_K   [768, 256]  161280  3053376"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	code, out, _ = runCLI("inspect", "--json", p)
	if code != 0 {
		t.Fatalf("--json exit %d", code)
	}
	var j jsonModel
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Tensors) != 39 || j.Types["q4_K"] != 25 || j.Types["q6_K"] != 5 || j.Types["f32"] != 9 {
		t.Errorf("json: %d tensors, types %v", len(j.Tensors), j.Types)
	}
	if kv := j.Metadata[4]; kv.Key != "tokenizer.ggml.tokens" || kv.Count != 4096 || len(kv.Value.([]any)) != 5 {
		t.Errorf("json tokens entry %+v", kv)
	}
}

func TestInspectEverySharedModel(t *testing.T) {
	sharedModel(t, "quantfix.gguf")
	paths, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "models", "*.gguf"))
	for _, p := range paths {
		if code, _, errOut := runCLI("inspect", p, "--json"); code != 0 {
			t.Errorf("%s: exit %d: %s", p, code, errOut)
		}
	}
}

func TestInspectSplit(t *testing.T) {
	dir := t.TempDir()
	w := gguf.NewWriter()
	w.Set("general.architecture", "llama")
	for _, n := range []string{"a", "b", "c"} {
		w.AddTensor(n, gguf.TypeF32, []uint64{8}, make([]byte, 32))
	}
	paths, err := w.WriteSplits(filepath.Join(dir, "m"), 3)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("inspect", paths[0])
	if code != 0 || !strings.Contains(out, "in 3 splits") || !strings.Contains(out, "split") {
		t.Errorf("exit %d, stderr %s, output:\n%s", code, errOut, out)
	}
}

func TestInspectErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.gguf")
	os.WriteFile(bad, []byte("GGUF\x01\x00\x00\x00"), 0o644)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"inspect", bad}, 1, "GGUF v1 is not supported"},
		{[]string{"inspect", filepath.Join(dir, "missing.gguf")}, 1, "no such file"},
		{[]string{"inspect", dir}, 1, "not a regular file"},
		{[]string{"inspect"}, 2, "want one MODEL.gguf"},
		{[]string{"inspect", "--bogus", bad}, 2, "flag provided but not defined"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{nil, 2, "usage: smelt COMMAND"},
	}
	for _, tc := range cases {
		code, _, errOut := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
		if code == 1 && strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: error is more than one line: %q", tc.args, errOut)
		}
	}
}

func TestRunGreedy(t *testing.T) {
	p := sharedModel(t, "stories260k-f32.gguf")
	code, out, errOut := runCLI("run", "-m", p, "-p", "Once upon a time", "-n", "32", "--temp", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "Once upon a time, there was a little girl named Lily. She loved to play outside in the park."; !strings.HasPrefix(out, want) {
		t.Errorf("output %q does not start with %q", out, want)
	}
	// Sampling with a seed is repeatable.
	args := []string{"run", "-m", p, "-p", "Once upon a time", "-n", "16", "--temp", "0.9", "--seed", "7", "--no-echo"}
	_, a, _ := runCLI(args...)
	_, b, _ := runCLI(args...)
	if a != b || a == "" {
		t.Errorf("same seed gave %q and %q", a, b)
	}
}

func TestRunErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "-p", "hi"}, 2, "-m MODEL is required"},
		{[]string{"run", "-m", "/nonexistent.gguf", "-p", "hi"}, 1, "no such file"},
		{[]string{"run", "-m", "x", "--temp", "warm"}, 2, "invalid value"},
	}
	for _, tc := range cases {
		code, _, errOut := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

func TestBenchCLI(t *testing.T) {
	p := sharedModel(t, "stories260k-f32.gguf")
	code, out, errOut := runCLI("bench", "-m", p, "-p", "16", "-n", "4", "-r", "1", "-t", "1", "--bw-mib", "8", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rs []map[string]any
	if err := json.Unmarshal([]byte(out), &rs); err != nil || len(rs) != 2 || rs[0]["test"] != "pp16" {
		t.Errorf("json %v: %s", err, out)
	}
	if code, _, errOut := runCLI("bench", "-m", p, "-t", "zero"); code != 2 || !strings.Contains(errOut, "bad thread count") {
		t.Errorf("bad -t: exit %d %q", code, errOut)
	}
}

func TestSynthThenBench(t *testing.T) {
	vocab := sharedModel(t, "stories260k-f32.gguf")
	out := filepath.Join(t.TempDir(), "s.gguf")
	code, stdout, errOut := runCLI("synth", "-o", out, "--vocab", vocab, "--embd", "256", "--layers", "2", "--ff", "512", "--heads", "4", "--kv-heads", "2", "--type", "q4_K_M")
	if code != 0 || !strings.Contains(stdout, "wrote ") {
		t.Fatalf("synth: exit %d: %s%s", code, stdout, errOut)
	}
	code, stdout, errOut = runCLI("bench", "-m", out, "-p", "8", "-n", "4", "-r", "1", "-t", "1", "--bw-mib", "0", "-o", "json")
	if code != 0 || !strings.Contains(stdout, `"test": "tg4"`) {
		t.Fatalf("bench: exit %d: %s%s", code, stdout, errOut)
	}
	if code, _, _ := runCLI("synth", "-o", out); code != 2 {
		t.Errorf("synth without --vocab: exit %d, want 2", code)
	}
}
