// Command uifsagw is the UIFSA interstate case exchange gateway.
//
// Usage:
//
//	uifsagw dev       [--dir ./var]              run everything locally (PostgreSQL, dev PKI, sample partners)
//	uifsagw serve     --config FILE              run the gateway
//	uifsagw migrate   --config FILE              apply database migrations
//	uifsagw partners  list|show|add|pin ...      manage the partner directory
//	uifsagw send      --as PARTNER FILE          sign and post a message as a partner, print the receipt
//	uifsagw inbox     --as PARTNER               pull (and ack) messages waiting for a pull partner
//	uifsagw validate  [--format F|--partner P] FILE
//	uifsagw convert   --from F --to G FILE
//	uifsagw pki       ca|issue ...               make certificates
//	uifsagw audit     verify --config FILE       check the audit log's hash chain
//	uifsagw load      [flags]                    load generator against a gateway
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/uifsagw/uifsagw/cmd/uifsagw/internal/exitcode"
)

type command struct {
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

// exitError carries a specific exit status (validate uses 1 for "invalid");
// the commands' own packages return the same type.
type exitError = exitcode.Error

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: uifsagw COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'uifsagw COMMAND -h' for a command's flags.")
}

func main() {
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	if isHelp(os.Args[1]) {
		usage(os.Stdout)
		os.Exit(0)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "uifsagw: unknown command %q\n\n", os.Args[1])
		usage(os.Stderr)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.run(ctx, os.Args[2:])
	if err == nil {
		return
	}
	if errors.Is(err, flag.ErrHelp) {
		// The help was asked for and printed: that is success.
		os.Exit(0)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.Msg != "" {
			fmt.Fprintln(os.Stderr, ee.Msg)
		}
		os.Exit(ee.Code)
	}
	fmt.Fprintf(os.Stderr, "uifsagw %s: %v\n", os.Args[1], err)
	os.Exit(1)
}

func newFlags(name, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: uifsagw %s %s\n\nflags:\n", name, usageLine)
		fs.PrintDefaults()
	}
	return fs
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" || a == "help" }

// subcommand checks the first argument of a command made of subcommands
// (audit, pki): help prints its usage and returns flag.ErrHelp (exit 0);
// nothing, or an unknown subcommand, is a usage error naming the choices.
func subcommand(name string, args []string, subs [][2]string) (string, error) {
	var known []string
	for _, s := range subs {
		known = append(known, s[0])
	}
	print := func(w *os.File) {
		fmt.Fprintf(w, "usage: uifsagw %s SUBCOMMAND [flags]\n\nsubcommands:\n", name)
		for _, s := range subs {
			fmt.Fprintf(w, "  %-8s %s\n", s[0], s[1])
		}
		fmt.Fprintf(w, "\nRun 'uifsagw %s SUBCOMMAND -h' for its flags.\n", name)
	}
	if len(args) == 0 {
		print(os.Stderr)
		return "", &exitError{Code: 2, Msg: fmt.Sprintf("uifsagw %s: give a subcommand: %s", name, strings.Join(known, ", "))}
	}
	if isHelp(args[0]) {
		print(os.Stdout)
		return "", flag.ErrHelp
	}
	for _, k := range known {
		if args[0] == k {
			return k, nil
		}
	}
	print(os.Stderr)
	return "", &exitError{Code: 2, Msg: fmt.Sprintf("uifsagw %s: unknown subcommand %q; one of: %s", name, args[0], strings.Join(known, ", "))}
}
