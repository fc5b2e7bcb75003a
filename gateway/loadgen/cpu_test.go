package loadgen

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    procStat
		wantErr bool
	}{
		{"plain", "42 (postgres) S 7 42 42 0 -1 4194560 100 0 0 0 150 25 30 5 20 0 1 0 100 0 0",
			procStat{ppid: 7, utime: 150, stime: 25, cutime: 30, cstime: 5}, false},
		{"name with spaces and parens", "9 (a (b) c) R 1 9 9 0 -1 0 0 0 0 0 3 4 5 6 20 0 1 0 1 0 0",
			procStat{ppid: 1, utime: 3, stime: 4, cutime: 5, cstime: 6}, false},
		{"no name", "9 a R 1", procStat{}, true},
		{"too short", "9 (x) R 1 2 3", procStat{}, true},
		{"not a number", "9 (x) R 1 9 9 0 -1 0 0 0 0 0 x 4 5 6 20 0 1 0 1 0 0", procStat{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// A reaped child's CPU counts towards its parent's tree: that is how the
// CPU of PostgreSQL backends that ended during a run is still accounted.
func TestProcessCPUCountsReapedChildren(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	before, err := ProcessCPU(os.Getpid(), true)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sh, "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	child := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	after, err := ProcessCPU(os.Getpid(), true)
	if err != nil {
		t.Fatal(err)
	}
	// /proc counts in 10 ms ticks; allow one tick of rounding per field.
	if got := after - before; got+20*time.Millisecond < child {
		t.Fatalf("tree CPU grew by %v, the reaped child alone used %v", got, child)
	}
	own, err := ProcessCPU(os.Getpid(), false)
	if err != nil {
		t.Fatal(err)
	}
	if own > after {
		t.Fatalf("own CPU %v exceeds the tree's %v", own, after)
	}
}

func TestListenerPIDs(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	pid, err := ListenerPID(l.Addr().(*net.TCPAddr).Port)
	if err != nil {
		t.Fatal(err)
	}
	if pid != os.Getpid() {
		t.Fatalf("TCP listener pid %d, want %d", pid, os.Getpid())
	}

	path := filepath.Join(t.TempDir(), ".s.PGSQL.5432")
	ul, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ul.Close()
	if pid, err = UnixListenerPID(path); err != nil || pid != os.Getpid() {
		t.Fatalf("unix listener pid %d, %v; want %d", pid, err, os.Getpid())
	}
	if _, err := UnixListenerPID(path + ".none"); err == nil {
		t.Fatal("found a listener on a socket nobody listens on")
	}
}

func TestCPUMeterPerMessage(t *testing.T) {
	m, err := StartCPU([]Process{{Role: "generator", PID: os.Getpid()}})
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU until /proc shows at least two ticks more for this process.
	start, err := ProcessCPU(os.Getpid(), false)
	if err != nil {
		t.Fatal(err)
	}
	for sink := 0; ; sink++ {
		if sink%1_000_000 == 0 {
			now, err := ProcessCPU(os.Getpid(), false)
			if err != nil {
				t.Fatal(err)
			}
			if now-start >= 20*time.Millisecond {
				break
			}
		}
	}
	use, err := m.Stop(10, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(use) != 1 || use[0].Role != "generator" || use[0].Seconds <= 0 {
		t.Fatalf("use = %+v", use)
	}
	u := use[0]
	if want := u.Seconds * 1e6 / 10; u.MicrosPerMsg != want || u.OverBaseline != want/1000 {
		t.Fatalf("per message %v (want %v), over baseline %v", u.MicrosPerMsg, want, u.OverBaseline)
	}
	if _, err := StartCPU([]Process{{Role: "gone", PID: 1 << 30}}); err == nil {
		t.Fatal("a process that does not exist was measured")
	}
}
