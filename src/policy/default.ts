/**
 * The default Linux policy: system binaries, libraries, configuration and
 * boot files; never the virtual or volatile trees. Printed by `driftscan
 * policy` (without --check) and documented in the README.
 */
export const DEFAULT_POLICY = `# driftscan default policy
# A start path that is not there is a warning, recorded in the baseline;
# include-if-present is for the ones many hosts lack.
include /usr
include /etc
include-if-present /bin
include-if-present /sbin
include-if-present /lib
include-if-present /lib32
include-if-present /lib64
include-if-present /libx32
include-if-present /boot
include-if-present /opt
include-if-present /var/log/wtmp
include-if-present /var/log/btmp
include-if-present /var/log/lastlog
include-if-present /var/log/faillog

# Virtual and volatile trees, in case a user includes / (a start path
# names what it wants: include /dev walks /dev)
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

# rpm's sqlite database keeps a shared-memory index (-shm) and a write-ahead
# log (-wal) beside it, which any rpm query (even read-only) rewrites, creates
# or removes. Excluded by exact name, not by a glob, so that no other file can
# hide behind them; the database itself stays, and rpm -Va reads the log too.
exclude /var/lib/rpm/rpmdb.sqlite-shm
exclude /var/lib/rpm/rpmdb.sqlite-wal
exclude /usr/lib/sysimage/rpm/rpmdb.sqlite-shm
exclude /usr/lib/sysimage/rpm/rpmdb.sqlite-wal

config /etc/**

# Keep the text of the files where persistence and privilege live, so a scan
# can show what changed in them (never secrets: no shadow, no keys). Text is
# kept only of files everyone on the host may read (mode o+r); of the others
# only digests, and the report says the text was not kept.
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

# wtmp and btmp are appended to; lastlog and faillog are rewritten in place,
# one record per uid: compared record by record (a time may only move forward).
growing /var/log/wtmp
growing /var/log/btmp
attrs /var/log/lastlog -size -sha256 -xxh64 -mtime -ctime +lastlog
attrs /var/log/faillog -size -sha256 -xxh64 -mtime -ctime +faillog
`;
