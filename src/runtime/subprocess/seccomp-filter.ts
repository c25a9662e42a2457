/**
 * The seccomp profile of sandboxed modules: a classic-BPF program that bubblewrap
 * installs (`--seccomp FD`) right before it runs the module. Everything is allowed
 * except the system calls a module never needs, which fail with EPERM: tracing
 * other processes, mounting, loading kernels and kernel modules, BPF, the kernel
 * keyring, perf events, entering or making namespaces, io_uring, changing the
 * clock, and the like (the list below; README "Subprocess sandbox" documents it).
 * A system call made through another ABI than the platform's own (32-bit `int
 * 0x80` on x86-64) kills the process, and x32 calls fail: neither can bypass the
 * list by number.
 *
 * Built here rather than by libseccomp, so no build step or native library is
 * needed at run time: the program is a few dozen instructions, and the system call
 * numbers are checked against libseccomp by the tests where it is installed.
 */

/** Denied system calls, with their numbers on x86-64 and aarch64 (null: none there). */
export const DENIED_SYSCALLS: Readonly<Record<string, readonly [number | null, number | null]>> = {
  // Another process's memory and execution.
  ptrace: [101, 117],
  process_vm_readv: [310, 270],
  process_vm_writev: [311, 271],
  pidfd_getfd: [438, 438],
  // Mounts and the root directory.
  mount: [165, 40],
  umount2: [166, 39],
  pivot_root: [155, 41],
  chroot: [161, 51],
  open_tree: [428, 428],
  move_mount: [429, 429],
  fsopen: [430, 430],
  fsconfig: [431, 431],
  fsmount: [432, 432],
  fspick: [433, 433],
  mount_setattr: [442, 442],
  // Namespaces.
  unshare: [272, 97],
  setns: [308, 268],
  // The kernel itself: new kernels, modules, reboot, swap, accounting.
  kexec_load: [246, 104],
  kexec_file_load: [320, 294],
  reboot: [169, 142],
  init_module: [175, 105],
  finit_module: [313, 273],
  delete_module: [176, 106],
  swapon: [167, 224],
  swapoff: [168, 225],
  acct: [163, 89],
  quotactl: [179, 60],
  syslog: [103, 116],
  vhangup: [153, 58],
  lookup_dcookie: [212, 18],
  iopl: [172, null],
  ioperm: [173, null],
  uselib: [134, null],
  // BPF programs, the keyring, performance counters.
  bpf: [321, 280],
  keyctl: [250, 219],
  add_key: [248, 217],
  request_key: [249, 218],
  perf_event_open: [298, 241],
  // Kernel attack surface a module has no use for.
  userfaultfd: [323, 282],
  io_uring_setup: [425, 425],
  io_uring_enter: [426, 426],
  io_uring_register: [427, 427],
  open_by_handle_at: [304, 265],
  name_to_handle_at: [303, 264],
  // The clock.
  settimeofday: [164, 170],
  clock_settime: [227, 112],
  clock_adjtime: [305, 266],
  adjtimex: [159, 171],
}

/** The architectures the profile is built for (Node's `process.arch` names). */
export type SeccompArch = 'x64' | 'arm64'

const AUDIT_ARCH = { x64: 0xc000003e, arm64: 0xc00000b7 } as const
/** x86-64's x32 ABI marks its system call numbers with this bit. */
const X32_SYSCALL_BIT = 0x40000000

// Classic BPF (linux/filter.h, linux/seccomp.h).
const LD_W_ABS = 0x20
const JEQ_K = 0x15
const JGE_K = 0x35
const RET_K = 0x06
const SECCOMP_RET_KILL_PROCESS = 0x80000000
const SECCOMP_RET_ERRNO = 0x00050000
const SECCOMP_RET_ALLOW = 0x7fff0000
const EPERM = 1
/** Offsets in `struct seccomp_data`. */
const NR_OFFSET = 0
const ARCH_OFFSET = 4

interface Instruction {
  readonly code: number
  readonly jt: number
  readonly jf: number
  readonly k: number
}

/** The system call numbers denied on `arch`. */
export function deniedNumbers(arch: SeccompArch): number[] {
  const column = arch === 'x64' ? 0 : 1
  return Object.values(DENIED_SYSCALLS)
    .map((numbers) => numbers[column])
    .filter((n): n is number => n !== null)
}

/**
 * The filter as bubblewrap reads it from its `--seccomp` descriptor: `struct
 * sock_filter` entries (u16 code, u8 jt, u8 jf, u32 k), little-endian. Throws for
 * an architecture the profile does not know.
 */
export function seccompProgram(arch: string = process.arch): Uint8Array {
  if (arch !== 'x64' && arch !== 'arm64') {
    throw new Error(`no seccomp profile for the ${arch} architecture`)
  }
  const denied = deniedNumbers(arch)
  const checks = arch === 'x64' ? denied.length + 1 : denied.length
  // Layout: [0] load arch, [1] arch check, [2] load nr, checks..., allow, deny, kill.
  const allowAt = 3 + checks
  const denyAt = allowAt + 1
  const killAt = denyAt + 1
  const program: Instruction[] = [
    { code: LD_W_ABS, jt: 0, jf: 0, k: ARCH_OFFSET },
    { code: JEQ_K, jt: 0, jf: killAt - 2, k: AUDIT_ARCH[arch] },
    { code: LD_W_ABS, jt: 0, jf: 0, k: NR_OFFSET },
  ]
  const toDeny = () => denyAt - (program.length + 1)
  if (arch === 'x64') program.push({ code: JGE_K, jt: toDeny(), jf: 0, k: X32_SYSCALL_BIT })
  for (const nr of denied) program.push({ code: JEQ_K, jt: toDeny(), jf: 0, k: nr })
  program.push({ code: RET_K, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW })
  program.push({ code: RET_K, jt: 0, jf: 0, k: SECCOMP_RET_ERRNO | EPERM })
  program.push({ code: RET_K, jt: 0, jf: 0, k: SECCOMP_RET_KILL_PROCESS })
  const bytes = new Uint8Array(program.length * 8)
  const view = new DataView(bytes.buffer)
  program.forEach((ins, i) => {
    if (ins.jt > 255 || ins.jf > 255) throw new Error('seccomp program too long for its jumps')
    view.setUint16(i * 8, ins.code, true)
    view.setUint8(i * 8 + 2, ins.jt)
    view.setUint8(i * 8 + 3, ins.jf)
    view.setUint32(i * 8 + 4, ins.k >>> 0, true)
  })
  return bytes
}
