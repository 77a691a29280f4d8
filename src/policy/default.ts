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

# Keep the text of the files where persistence and privilege live, so a scan
# can show what changed in them (never secrets: no shadow, no keys).
attrs /etc/passwd +content
attrs /etc/group +content
attrs /etc/hosts +content
attrs /etc/resolv.conf +content
attrs /etc/fstab +content
attrs /etc/sudoers +content
attrs /etc/sudoers.d/* +content
attrs /etc/ssh/sshd_config +content
attrs /etc/ssh/sshd_config.d/* +content
attrs /etc/pam.d/* +content
attrs /etc/ld.so.preload +content
attrs /etc/ld.so.conf +content
attrs /etc/ld.so.conf.d/* +content
attrs /etc/crontab +content
attrs /etc/cron.d/* +content
attrs /etc/profile +content
attrs /etc/profile.d/* +content
attrs /etc/bash.bashrc +content
attrs /etc/rc.local +content
attrs /etc/systemd/system/** +content

growing /var/log/wtmp
growing /var/log/btmp
growing /var/log/lastlog
growing /var/log/faillog
`;
