#!/usr/bin/env python3
"""Generate src/test/resources/strftime/expected.tsv: what glibc's strftime prints.

TimeFormatTest replays every row against nioreactor.protocol.TimeFormat.  The output is
committed; the build never runs Python.  Run it again (on Linux with glibc and the
system tzdata) when the test matrix changes:

    python3 src/test/python/gen_strftime.py

Each row is  zone <TAB> epoch second <TAB> format <TAB> expected output  and is exactly
CPython's  time.strftime(format, time.localtime(epoch))  with TZ=zone in the C locale.
In the format and expected columns a backslash, tab, newline and carriage return are
written as \\\\, \\t, \\n and \\r, so every row is one line of four fields.  Lines
starting with '#' are comments.

Only formats that CPython renders and TimeFormat accepts are generated: glibc copies an
unknown conversion or a modifier it does not take (%Ed, %OY, %E%) into the output, which
TimeFormat deliberately rejects; TimeFormatTest covers those errors separately.

Only zones that Java 17's java.time knows are generated: the system tzdata also has ids
that ZoneId.of refuses (EST, MST, HST, ROC, GMT+0, Factory; zones newer than the JDK's
tzdata), and a row TimeFormatTest cannot run would be a skipped test, which reads as a gap.
The generator asks a JDK 17 for its zone ids ($JAVA_HOME/bin/java, else java on the PATH).
"""
import locale
import os
import subprocess
import sys
import tempfile
import time

if os.environ.get('LC_ALL') != 'C':
    # strftime's day and month names come from LC_TIME: make the whole run the C locale.
    os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, LC_ALL='C'))
locale.setlocale(locale.LC_ALL, 'C')

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, '..', 'resources', 'strftime', 'expected.tsv'))

CONVERSIONS = 'aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%'
# Modifiers glibc accepts per conversion (anything else is its "bad_format").
E_OK = set('cCxXYyRrsTtnpPuZz')
O_OK = set('bhBCdeHIklmjMSUVgGWwypPnRrsTtuZz')

ZONES = [
    'UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe',
    'America/Sao_Paulo', 'Pacific/Chatham', 'Europe/London', 'Europe/Dublin', 'Europe/Moscow',
    'America/St_Johns', 'Asia/Kathmandu', 'Asia/Tehran', 'Africa/Casablanca', 'Antarctica/Troll',
    'America/Los_Angeles', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Etc/GMT+5', 'US/Eastern',
    'GMT', 'Asia/Tokyo', 'America/Santiago',
]
MAIN_ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']


def java():
    home = os.environ.get('JAVA_HOME')
    return os.path.join(home, 'bin', 'java') if home else 'java'


def java_zones():
    """The zone ids of ZoneId.getAvailableZoneIds() on a JDK 17 (the oldest the project supports), and its version."""
    source = ('public class Zones { public static void main(String[] a) {'
              ' System.out.println(Runtime.version());'
              ' java.time.ZoneId.getAvailableZoneIds().forEach(System.out::println); } }')
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'Zones.java')
        with open(path, 'w') as f:
            f.write(source)
        out = subprocess.run([java(), path], capture_output=True, text=True, check=True).stdout.split()
    version, zones = out[0], set(out[1:])
    if version.split('.')[0].split('+')[0] != '17':
        sys.exit('gen_strftime.py: %s is JDK %s; run it with a JDK 17 (JAVA_HOME=...): a newer one knows '
                 'zones Java 17 does not' % (java(), version))
    return version, zones


def utc(y, mo, d, h=0, mi=0, s=0):
    """Epoch second of a proleptic Gregorian UTC time; any year (calendar.timegm stops at 9999)."""
    y -= mo <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (mo + (-3 if mo > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    return days * 86400 + h * 3600 + mi * 60 + s


rows = []
seen = set()


def use_zone(zone):
    os.environ['TZ'] = zone
    time.tzset()


def add(zone, t, fmt):
    key = (zone, t, fmt)
    if key in seen:
        return
    seen.add(key)
    use_zone(zone)
    try:
        text = time.strftime(fmt, time.localtime(t))
    except (ValueError, OverflowError, OSError):
        return  # CPython refuses it, so there is nothing to compare against
    if text == '' and fmt != '':
        return  # CPython answers '' when the output outgrows its 256 * len(format) buffer
    rows.append((zone, t, fmt, text))


def variants(c):
    """The conversion alone, with each flag, with widths, and with the modifiers glibc takes."""
    out = ['%' + c]
    for flags in ['-', '_', '0', '^', '#', '^#', '#^', '-^', '_#', '0^', '-0', '0_', '_-']:
        out.append('%' + flags + c)
    for width in ['1', '3', '6', '10', '25']:
        for flags in ['', '-', '_', '0', '^', '#']:
            out.append('%' + flags + width + c)
    for mod, ok in (('E', E_OK), ('O', O_OK)):
        if c in ok:
            out += ['%' + mod + c, '%_8' + mod + c, '%-' + mod + c, '%^08' + mod + c]
    return out


def transitions(zone, start, end):
    """Instants where the zone's UTC offset (or abbreviation) changes, found by bisection."""
    use_zone(zone)

    def state(t):
        lt = time.localtime(t)
        return lt.tm_gmtoff, lt.tm_zone

    found = []
    step = 6 * 3600
    t = start
    before = state(t)
    while t < end:
        after = state(t + step)
        if after != before:
            lo, hi = t, t + step
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if state(mid) == before:
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
        t += step
        before = after
    return found


FIXED = [
    0, -1, 1, 86399, 86400,
    -86400 * 200 - 3601,            # 1969-06-14 22:59:59 UTC
    utc(1969, 12, 31, 23, 59, 59),
    1700000000,                     # 2023-11-14 22:13:20 UTC
    utc(2024, 2, 29, 12, 34, 56),   # leap day
    utc(2024, 7, 4, 0, 0, 0),
    utc(2025, 1, 1, 0, 0, 0),
    utc(2025, 6, 30, 23, 59, 59),
    utc(2025, 12, 31, 12, 0, 0),
    utc(2000, 2, 29, 23, 30, 0),
    utc(2100, 3, 1, 5, 6, 7),       # 2100 is not a leap year
    utc(2100, 7, 15, 12, 0, 0),
    utc(1999, 12, 31, 23, 59, 59),
    utc(2038, 1, 19, 3, 14, 8),     # past the 32-bit time_t limit
]
HOURS = [utc(2025, 3, 10, h, 7, 9) for h in range(24)]
PAST = [
    utc(1850, 6, 1, 12, 0, 0),      # local mean time in most zones
    utc(1900, 1, 1, 0, 0, 0),
    utc(1000, 6, 15, 10, 0, 0),
    utc(1, 1, 1, 0, 0, 0),
    utc(999, 12, 31, 23, 0, 0),
    utc(12345, 6, 7, 8, 9, 10),
]

COMBOS = [
    '%Y-%m-%d-%X',                  # the time service's default format
    '%Y-%m-%dT%H:%M:%S%z', '%a, %d %b %Y %H:%M:%S %z', '%A %B %e %Y, %l:%M %P %Z',
    '%c %Z', '%x %X', '%D %T', '%F %R', '%r', '%G-W%V-%u', '%g/%V %j %U %W %w',
    '%s %Z %z', '%^a %^b %^c', '%#a %#B %#p %#Z', '%_H:%_M:%_S', '%-H:%-M:%-S', '%-j %-U',
    '%e%k%l', '%10A|%-10A|%_10A|%010A', '%3a%3b', 'at %H%%%M%n%t', 'literal only',
    '', '%%', '100%% sure', 'tab\there\\back', 'caf\u00e9 %H \u00fcber %M \U0001F600',
    '%Y%m%d%H%M%S', '%C%y', '%I%p %l%P', '%Ec %EC %Ex %EX %EY %Ey', '%Od %Oe %OH %OI %Om %OM',
    '%OS %Ou %OU %OV %Ow %OW %Oy %Ob %OB %Oh', '%_5n%_5t%05%', '%5n%-5t%^5%',
    '%^10c|%_30c|%030c|%-30c', '%^10x|%_10D|%010F|%-10T|%012r|%^R', '%#c %#x %#X %#r',
    '%1024Y', '%01024s', '%_1024z', '%^1024Z', '%1024n',
]
YEAR_END_YEARS = [1969, 1970, 1999, 2000, 2004, 2015, 2020, 2021, 2025, 2026, 2027, 2099, 2100]
WEEK_FORMATS = ['%G', '%g', '%V', '%U', '%W', '%j', '%u', '%w', '%a %Y-%m-%d',
                '%G-W%V-%u %Y-%j %U %W']


def main():
    java_version, known = java_zones()
    unknown = sorted(set(ZONES + MAIN_ZONES) - known)
    if unknown:
        sys.exit('gen_strftime.py: java.time does not know %s; take them out of ZONES' % unknown)
    # 1. Every conversion alone and with every flag, width and allowed modifier.
    for c in CONVERSIONS:
        for fmt in variants(c):
            for t in [1700000000, utc(2025, 1, 5, 9, 5, 3), -86400 * 200 - 3601]:
                add('UTC', t, fmt)
            add('Europe/Berlin', utc(2025, 7, 20, 23, 4, 5), fmt)
            add('America/New_York', -86400 * 200 - 3601, fmt)
            add('Asia/Kolkata', utc(2025, 1, 5, 21, 5, 3), fmt)
            if c in 'zZs':  # the zone-dependent ones in every zone
                for zone in ZONES:
                    for t in [utc(2025, 1, 15, 12, 0, 0), utc(2025, 7, 15, 12, 0, 0)]:
                        add(zone, t, fmt)
    # 2. Hour-dependent conversions through a whole day.
    for t in HOURS:
        for fmt in ['%H %I %k %l %p %P', '%r', '%R', '%T', '%X', '%^P %#p %#P']:
            add('UTC', t, fmt)
    # 3. Fixed instants (epoch 0, 1969, leap days, 2038, 2100) in every zone.
    for zone in ZONES:
        for t in FIXED:
            for fmt in ['%Y-%m-%d %H:%M:%S %Z %z', '%c', '%s', '%G %V %j %U %W', '%Y-%m-%d-%X',
                        '%#Z|%^Z|%10Z|%-10Z|%010Z|%_10z|%-10z|%010z|%10z', '%C %y %g']:
                add(zone, t, fmt)
    # 4. Just before, at and just after each offset change (DST and others), 2024-2026.
    for zone in ZONES:
        for tr in transitions(zone, utc(2024, 1, 1), utc(2027, 1, 1)):
            for t in [tr - 3601, tr - 1, tr, tr + 1, tr + 3599]:
                for fmt in ['%F %T %Z %z', '%c %Z', '%s', '%H:%M %p %k %l']:
                    add(zone, t, fmt)
    # 5. ISO and other week numbers around year ends (Dec 25 .. Jan 7).
    for y in YEAR_END_YEARS:
        for day in range(-7, 7):
            t = utc(y, 12, 25, 12, 0, 0) + 86400 * (day + 7)
            for fmt in WEEK_FORMATS:
                add('UTC', t, fmt)
            add('Pacific/Kiritimati', t - 12 * 3600, WEEK_FORMATS[-1])  # local date differs
            add('Pacific/Pago_Pago', t + 12 * 3600, WEEK_FORMATS[-1])
    # 6. Leap days and the days around them.
    for y in [1900, 2000, 2024, 2100, 2400]:
        for day in [-1, 0, 1]:
            t = utc(y, 2, 28, 18, 0, 0) + 86400 * day
            for fmt in ['%F %j %a %U %W %V %G', '%D %e %b']:
                add('UTC', t, fmt)
                add('Asia/Kolkata', t, fmt)
    # 7. Combinations, literals and big widths.
    for fmt in COMBOS:
        zones = MAIN_ZONES + ['America/Sao_Paulo', 'Australia/Lord_Howe', 'Pacific/Chatham']
        instants = [1700000000, utc(2025, 7, 20, 15, 4, 5), -86400 * 200 - 3601]
        if '1024' in fmt:  # long rows; a few are enough
            zones, instants = ['UTC', 'Asia/Kolkata'], [1700000000]
        for zone in zones:
            for t in instants:
                add(zone, t, fmt)
    # 8. The distant past (local mean time, years below 1000) and future.
    for zone in ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham']:
        for t in PAST:
            for fmt in ['%Y %C %y %G %g %V %j %a', '%F %T %Z %z', '%s', '%_5Y|%05C|%-y|%010s']:
                add(zone, t, fmt)
    # 9. Every zone and link of the system tzdata that java.time knows, winter and summer: checks
    #    the %Z table. The others (EST, ROC, Factory, zones newer than the JDK) cannot be tested.
    zi = open('/usr/share/zoneinfo/tzdata.zi').read().splitlines()
    all_zones = sorted(line.split()[1] for line in zi if line.startswith('Z '))
    all_zones += sorted(line.split()[2] for line in zi if line.startswith('L '))
    left_out = [zone for zone in all_zones if zone not in known]
    all_zones = [zone for zone in all_zones if zone in known]
    for zone in all_zones:
        for t in [utc(2025, 1, 15, 12, 0, 0), utc(2025, 7, 15, 12, 0, 0)]:
            add(zone, t, '%Z %z')

    with open(OUT, 'w', encoding='utf-8', newline='\n') as out:
        out.write('# Generated by src/test/python/gen_strftime.py with %s, %s, zones known to JDK %s; do not edit.\n'
                  % (sys.version.split()[0], os.confstr('CS_GNU_LIBC_VERSION'), java_version))
        out.write('# zone<TAB>epoch second<TAB>format<TAB>expected; in format and expected '
                  '\\\\ \\t \\n \\r stand for backslash, tab, newline, carriage return.\n')
        for zone, t, fmt, text in rows:
            out.write('%s\t%d\t%s\t%s\n' % (zone, t, escape(fmt), escape(text)))
    print('wrote %s: %d rows' % (OUT, len(rows)))
    print('left out (unknown to java.time %s): %s' % (java_version, ' '.join(left_out)))


def escape(text):
    return (text.replace('\\', '\\\\').replace('\t', '\\t')
            .replace('\n', '\\n').replace('\r', '\\r'))


if __name__ == '__main__':
    main()
