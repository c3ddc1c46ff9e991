// Command smelt runs and inspects GGUF language models.
//
//	smelt run -m MODEL.gguf -p PROMPT [-n N] [--temp T] [-t THREADS] [-c CTX]
//	smelt bench -m MODEL.gguf [-p 512] [-n 128] [-r 5] [-t 1,2] [-o md|json]
//	smelt inspect MODEL.gguf [--json] [--array N]
//	smelt synth -o OUT.gguf --vocab MODEL.gguf [--embd 2048] [--layers 16] [--type q4_0]
//
// Run "smelt help" for the list of commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand: its name, a one-line summary, and its body,
// which gets the arguments after the name.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout io.Writer) error
}

var commands = []command{
	{"run", "generate text from a prompt", runRun},
	{"bench", "measure prompt and generation speed (like llama-bench)", runBench},
	{"inspect", "print a GGUF file's header, metadata and tensors", runInspect},
	{"synth", "write a llama model of any size with random weights (for benchmarks)", runSynth},
}

// errUsage marks an error in the command line (exit code 2).
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(args[1:], stdout)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "smelt %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "smelt %s: %s\n", c.name, oneLine(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "smelt: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: smelt COMMAND [arguments]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"smelt COMMAND -h\" for a command's flags.")
}

// oneLine keeps an error to a single line of output.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// newFlags returns a command's flag set: errors are returned, not printed,
// and -h prints usage (one line) and the flags to out.
func newFlags(name, usage string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintln(out, "usage: "+usage)
		fs.SetOutput(out)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseArgs parses flags wherever they stand among the positional
// arguments ("smelt inspect m.gguf --json" as well as "--json m.gguf").
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.Usage()
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
