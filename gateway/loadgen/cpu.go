package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat. The kernel reports
// them in USER_HZ, which is 100 on every architecture Linux exports to user
// space through /proc (it is part of the ABI, unlike the kernel's HZ).
const userHZ = 100

// Process names a process whose CPU a run accounts for.
type Process struct {
	// Role is what the process is to the run: gateway, postgres, generator.
	Role string
	PID  int
	// Tree adds the CPU of its children: for PostgreSQL the postmaster's
	// backends, both those alive (their own times) and those that have
	// ended (reaped into the postmaster's cumulative child times).
	Tree bool
}

// CPUUse is the CPU one role used during a run.
type CPUUse struct {
	Role string `json:"role"`
	PIDs []int  `json:"pids"`
	// Seconds of CPU (user + system) during the run.
	Seconds float64 `json:"cpuSeconds"`
	// Cores is Seconds over the run's wall-clock seconds.
	Cores float64 `json:"cores"`
	// MicrosPerMsg is CPU per acknowledged message.
	MicrosPerMsg float64 `json:"microsPerMsg"`
	// OverBaseline is MicrosPerMsg over baseline (a)'s CPU per message
	// (verify + decode + validate with no I/O); 0 without a baseline.
	OverBaseline float64 `json:"overBaselineA,omitempty"`
}

// CPUMeter samples the CPU time of a set of processes at the start and end
// of a run.
type CPUMeter struct {
	procs []Process
	start []time.Duration
	wall  time.Time
}

// StartCPU records the processes' CPU times now. A process that cannot be
// read is an error: a figure silently missing one process would mislead.
func StartCPU(procs []Process) (*CPUMeter, error) {
	m := &CPUMeter{procs: procs, wall: time.Now()}
	for _, p := range procs {
		t, err := ProcessCPU(p.PID, p.Tree)
		if err != nil {
			return nil, fmt.Errorf("loadgen: CPU of %s (pid %d): %w", p.Role, p.PID, err)
		}
		m.start = append(m.start, t)
	}
	return m, nil
}

// Stop reads the processes' CPU times again and returns what each role used
// per acknowledged message. baselineMicros is baseline (a)'s CPU per message,
// 0 when it was not measured.
func (m *CPUMeter) Stop(acknowledged int64, baselineMicros float64) ([]CPUUse, error) {
	wall := time.Since(m.wall).Seconds()
	byRole := map[string]*CPUUse{}
	var order []string
	for i, p := range m.procs {
		t, err := ProcessCPU(p.PID, p.Tree)
		if err != nil {
			return nil, fmt.Errorf("loadgen: CPU of %s (pid %d): %w", p.Role, p.PID, err)
		}
		u := byRole[p.Role]
		if u == nil {
			u = &CPUUse{Role: p.Role}
			byRole[p.Role] = u
			order = append(order, p.Role)
		}
		u.PIDs = append(u.PIDs, p.PID)
		u.Seconds += (t - m.start[i]).Seconds()
	}
	out := make([]CPUUse, 0, len(order))
	for _, role := range order {
		u := byRole[role]
		if wall > 0 {
			u.Cores = u.Seconds / wall
		}
		if acknowledged > 0 {
			u.MicrosPerMsg = u.Seconds * 1e6 / float64(acknowledged)
		}
		if baselineMicros > 0 {
			u.OverBaseline = u.MicrosPerMsg / baselineMicros
		}
		out = append(out, *u)
	}
	return out, nil
}

// ProcessCPU is the user + system CPU time of pid; with tree, also that of
// its live children and of the children it has reaped.
func ProcessCPU(pid int, tree bool) (time.Duration, error) {
	st, err := readStat(pid)
	if err != nil {
		return 0, err
	}
	ticks := st.utime + st.stime
	if !tree {
		return ticksToDuration(ticks), nil
	}
	ticks += st.cutime + st.cstime
	kids, err := children(pid)
	if err != nil {
		return 0, err
	}
	for _, k := range kids {
		ks, err := readStat(k)
		if err != nil {
			continue // ended between the listing and the read; reaped into cutime next time
		}
		ticks += ks.utime + ks.stime
	}
	return ticksToDuration(ticks), nil
}

func ticksToDuration(t uint64) time.Duration {
	return time.Duration(t) * time.Second / userHZ
}

type procStat struct {
	ppid                         int
	utime, stime, cutime, cstime uint64
}

// readStat parses /proc/<pid>/stat. The command name (field 2) is in
// parentheses and may itself hold spaces and parentheses, so fields are
// counted from the last ')'.
func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procStat{}, err
	}
	return parseStat(b)
}

func parseStat(b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, errors.New("malformed /proc stat: no command name")
	}
	// After ") ": field 3 (state) is f[0], so field n is f[n-3].
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return procStat{}, errors.New("malformed /proc stat: too few fields")
	}
	var st procStat
	var err error
	num := func(n int) uint64 {
		v, e := strconv.ParseUint(f[n-3], 10, 64)
		if e != nil && err == nil {
			err = fmt.Errorf("malformed /proc stat field %d: %q", n, f[n-3])
		}
		return v
	}
	st.ppid = int(num(4))
	st.utime, st.stime, st.cutime, st.cstime = num(14), num(15), num(16), num(17)
	return st, err
}

// children lists the PIDs whose parent is pid.
func children(pid int) ([]int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil || p == pid {
			continue
		}
		st, err := readStat(p)
		if err != nil {
			continue
		}
		if st.ppid == pid {
			out = append(out, p)
		}
	}
	return out, nil
}

// ListenerPID finds the process that listens on a TCP port on this machine
// (the gateway's partner port), through the socket's inode in /proc/net/tcp
// and the processes' open descriptors. It needs the right to read those
// descriptors: the same user, or root.
func ListenerPID(port int) (int, error) {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if err := tcpListenInodes(f, port, inodes); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("nothing on this machine listens on TCP port %d", port)
	}
	return socketOwner(inodes)
}

// UnixListenerPID finds the process that listens on the Unix socket at path
// (PostgreSQL's .s.PGSQL.<port>).
func UnixListenerPID(path string) (int, error) {
	b, err := os.ReadFile("/proc/net/unix")
	if err != nil {
		return 0, err
	}
	inodes := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// Num RefCount Protocol Flags Type St Inode Path
		if len(f) >= 8 && f[7] == path {
			inodes[f[6]] = true
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("nothing on this machine listens on %s", path)
	}
	return socketOwner(inodes)
}

func tcpListenInodes(file string, port int, into map[string]bool) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	want := fmt.Sprintf(":%04X", port)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
		if len(f) >= 10 && strings.HasSuffix(f[1], want) && f[3] == "0A" { // 0A: TCP_LISTEN
			into[f[9]] = true
		}
	}
	return nil
}

func socketOwner(inodes map[string]bool) (int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fds, err := os.ReadDir(filepath.Join("/proc", e.Name(), "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			l, err := os.Readlink(filepath.Join("/proc", e.Name(), "fd", fd.Name()))
			if err != nil || !strings.HasPrefix(l, "socket:[") {
				continue
			}
			if inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] {
				return pid, nil
			}
		}
	}
	return 0, errors.New("the listening socket's process is not readable (run as the same user or as root)")
}
