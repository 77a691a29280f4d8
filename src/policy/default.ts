/**
 * The default Linux policy: system binaries, libraries, configuration and
 * boot files; never the virtual or volatile trees. Printed by
 * `driftscan policy --default` and documented in the README.
 */
export const DEFAULT_POLICY = `# driftscan default policy
include /bin
include /sbin
include /lib
include /lib32
include /lib64
include /libx32
include /usr
include /etc
include /boot
include /opt
include /var/log/wtmp
include /var/log/btmp
include /var/log/lastlog
include /var/log/faillog

# Virtual and volatile trees, in case a user includes /
exclude /proc
exclude /sys
exclude /dev
exclude /run
exclude /tmp
exclude /var/tmp
exclude /var/run
exclude /var/lock
exclude /var/cache
exclude /lost+found
exclude /media
exclude /mnt
exclude /home

# Files the system rewrites on its own while running
exclude /etc/mtab
exclude /etc/adjtime
exclude /etc/ld.so.cache~

config /etc/**

growing /var/log/wtmp
growing /var/log/btmp
growing /var/log/lastlog
growing /var/log/faillog
`;
