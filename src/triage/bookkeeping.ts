/**
 * Rule 2's paths: the package managers' own databases, logs and caches,
 * which every package operation rewrites.
 */
/** The package database's own files and logs; a dpkg info file names its package. */
export const BOOKKEEPING = [
  /^\/var\/lib\/dpkg(\/|$)/, /^\/var\/lib\/rpm(\/|$)/, /^\/usr\/lib\/sysimage\/rpm(\/|$)/, /^\/var\/lib\/apt(\/|$)/,
  /^\/var\/log\/dpkg\.log[^/]*$/, /^\/var\/log\/apt(\/|$)/, /^\/var\/lib\/dnf(\/|$)/, /^\/var\/log\/dnf[^/]*$/,
  /^\/var\/lib\/ucf(\/|$)/, /^\/var\/cache\/debconf(\/|$)/,
];
export const DPKG_INFO = /^\/var\/lib\/dpkg\/info\/([^/:]+)(:[^/.]+)?\.[^/.]+$/;

