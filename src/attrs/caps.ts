/**
 * Decoding of the `security.capability` extended attribute (struct
 * vfs_cap_data, revisions 1 to 3) into getcap's text form, e.g. `cap_net_raw=ep`.
 */

// Capability numbers from linux/capability.h, in order.
const CAP_NAMES = [
  'cap_chown', 'cap_dac_override', 'cap_dac_read_search', 'cap_fowner', 'cap_fsetid',
  'cap_kill', 'cap_setgid', 'cap_setuid', 'cap_setpcap', 'cap_linux_immutable',
  'cap_net_bind_service', 'cap_net_broadcast', 'cap_net_admin', 'cap_net_raw', 'cap_ipc_lock',
  'cap_ipc_owner', 'cap_sys_module', 'cap_sys_rawio', 'cap_sys_chroot', 'cap_sys_ptrace',
  'cap_sys_pacct', 'cap_sys_admin', 'cap_sys_boot', 'cap_sys_nice', 'cap_sys_resource',
  'cap_sys_time', 'cap_sys_tty_config', 'cap_mknod', 'cap_lease', 'cap_audit_write',
  'cap_audit_control', 'cap_setfcap', 'cap_mac_override', 'cap_mac_admin', 'cap_syslog',
  'cap_wake_alarm', 'cap_block_suspend', 'cap_audit_read', 'cap_perfmon', 'cap_bpf',
  'cap_checkpoint_restore',
];

const REVISION_MASK = 0xff000000;
const FLAG_EFFECTIVE = 0x000001;

function capName(n: number): string {
  return CAP_NAMES[n] ?? String(n);
}

function bitsOf(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 32; i++) if ((lo >>> i) & 1) out.push(i);
  for (let i = 0; i < 32; i++) if ((hi >>> i) & 1) out.push(32 + i);
  return out;
}

/**
 * getcap-style text. Capabilities with the same flag set are grouped:
 * `cap_net_admin,cap_net_raw=ep`. Unknown layouts are shown as hex, so they are
 * still compared and never silently dropped.
 */
export function decodeCapabilities(raw: Uint8Array): string {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (buf.length < 4) return 'raw:' + buf.toString('hex');
  const magic = buf.readUInt32LE(0);
  const revision = (magic & REVISION_MASK) >>> 24;
  const effective = (magic & FLAG_EFFECTIVE) !== 0;
  const words = revision === 1 ? 1 : revision === 2 || revision === 3 ? 2 : 0;
  const needed = 4 + words * 8 + (revision === 3 ? 4 : 0);
  if (words === 0 || buf.length < needed) return 'raw:' + buf.toString('hex');
  const permittedLo = buf.readUInt32LE(4);
  const inheritableLo = buf.readUInt32LE(8);
  const permittedHi = words === 2 ? buf.readUInt32LE(12) : 0;
  const inheritableHi = words === 2 ? buf.readUInt32LE(16) : 0;
  const permitted = new Set(bitsOf(permittedLo, permittedHi));
  const inheritable = new Set(bitsOf(inheritableLo, inheritableHi));
  const groups = new Map<string, number[]>();
  for (const cap of [...new Set([...permitted, ...inheritable])].sort((a, b) => a - b)) {
    let flags = '';
    if (effective) flags += 'e';
    if (inheritable.has(cap)) flags += 'i';
    if (permitted.has(cap)) flags += 'p';
    const list = groups.get(flags) ?? [];
    list.push(cap);
    groups.set(flags, list);
  }
  const parts = [...groups].map(([flags, caps]) => caps.map(capName).join(',') + '=' + flags);
  if (revision === 3) parts.push('[rootid=' + buf.readUInt32LE(20) + ']');
  return parts.join(' ');
}
