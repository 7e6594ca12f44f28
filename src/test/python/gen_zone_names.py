#!/usr/bin/env python3
"""Generate src/main/java/nioreactor/protocol/TimeFormatZoneNames.java from the system tzdata.

Why this exists: glibc prints %Z from the tzdata abbreviation stored in the compiled
TZif file ("CET", "EDT", "-03", "+0530", "LMT", ...).  java.time keeps the tzdata
offsets but drops the abbreviations, and Java's display names come from CLDR
("BRT", "GMT+05:30", ...), which differ for hundreds of zones.  So we carry the
abbreviations ourselves, as a compact table generated once from the TZif files glibc
reads.  The build never runs this script; run it again after a tzdata update:

    LC_ALL=C python3 src/test/python/gen_zone_names.py [/usr/share/zoneinfo]

Table model (per zone): a list of eras, each an "until" epoch second (exclusive; the
last era has none) plus a map UTC offset (seconds) -> abbreviation.  Within one era an
offset always has the same abbreviation, so the Java side needs only java.time's
offset for the instant.  A new era starts only where tzdata reuses an offset with a
different abbreviation (e.g. New York's EDT -> EWT -> EPT -> EDT, or Moscow's MSK at
+04 after 2011).  Abbreviations that are just the offset in zic's numeric form
("-03", "+0530", "+054508") are left out and computed on the Java side, unless the
same offset has a lettered name in another era of that zone; those are written with
an empty name so the Java side knows they are numeric.
"""
import os
import re
import struct
import sys

ZONEINFO = sys.argv[1] if len(sys.argv) > 1 else '/usr/share/zoneinfo'
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(
    HERE, '..', '..', 'main', 'java', 'nioreactor', 'protocol', 'TimeFormatZoneNames.java'))


def read_tzif(path):
    """The 64-bit (v2+) body of a TZif file: transitions, their types, the POSIX footer."""
    data = open(path, 'rb').read()
    if data[:4] != b'TZif':
        return None

    def header(at):
        return struct.unpack('>6l', data[at + 20:at + 44])

    isut, isstd, leap, timecnt, typecnt, charcnt = header(0)
    if data[4] < ord('2'):
        raise SystemExit('%s: TZif version 1 has no 64-bit data' % path)
    at = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut
    isut, isstd, leap, timecnt, typecnt, charcnt = header(at)
    p = at + 44
    times = struct.unpack('>%dq' % timecnt, data[p:p + 8 * timecnt])
    p += 8 * timecnt
    indices = data[p:p + timecnt]
    p += timecnt
    raw = [struct.unpack('>lBB', data[p + 6 * i:p + 6 * i + 6]) for i in range(typecnt)]
    p += 6 * typecnt
    chars = data[p:p + charcnt]
    p += charcnt + leap * 12 + isstd + isut
    footer = data[p:].strip(b'\n').decode('ascii')

    def name(i):
        return chars[i:chars.index(b'\0', i)].decode('ascii')

    types = [(off, dst, name(ai)) for off, dst, ai in raw]
    return list(times), [types[i] for i in indices], types, footer


def numeric(offset):
    """zic's %z form, which tzdata uses where a zone has no letters."""
    sign = '-' if offset < 0 else '+'
    offset = abs(offset)
    h, m, s = offset // 3600, offset // 60 % 60, offset % 60
    text = sign + '%02d' % h
    if m or s:
        text += '%02d' % m
    if s:
        text += '%02d' % s
    return text


POSIX_NAME = re.compile(r'<([^>]*)>|([A-Za-z]+)')
POSIX_OFFSET = re.compile(r'([+-]?)(\d+)(?::(\d+))?(?::(\d+))?')


def footer_types(footer):
    """(offset, abbreviation) pairs named by a POSIX TZ string such as CET-1CEST,M3.5.0,..."""
    if not footer:
        return []
    rest = footer
    found = []

    def take_name():
        nonlocal rest
        m = POSIX_NAME.match(rest)
        rest = rest[m.end():]
        return m.group(1) if m.group(1) is not None else m.group(2)

    def take_offset():
        nonlocal rest
        m = POSIX_OFFSET.match(rest)
        if not m or not m.group(0):
            return None
        rest = rest[m.end():]
        seconds = int(m.group(2)) * 3600 + int(m.group(3) or 0) * 60 + int(m.group(4) or 0)
        return -seconds if m.group(1) != '-' else seconds  # POSIX counts west-positive

    std = take_name()
    std_offset = take_offset()
    found.append((std_offset, std))
    if rest and rest[0] != ',':
        dst = take_name()
        dst_offset = take_offset()
        found.append((dst_offset if dst_offset is not None else std_offset + 3600, dst))
    return found


def eras_of(path):
    times, chosen, types, footer = read_tzif(path)
    # glibc uses the first non-DST type before the first transition (normally LMT).
    first = next((t for t in types if not t[1]), types[0])
    timeline = [(None, first[0], first[2])] + [(t, o, a) for t, (o, _d, a) in zip(times, chosen)]
    last_start = times[-1] if times else None
    timeline += [(last_start, o, a) for o, a in footer_types(footer)]
    eras = []
    current = {}
    for start, offset, name in timeline:
        if offset in current and current[offset] != name:
            eras.append((start, current))
            current = {}
        current[offset] = name
    eras.append((None, current))
    lettered = {o for _u, m in eras for o, a in m.items() if a != numeric(o)}
    compact = []
    for until, names in eras:
        kept = {o: ('' if a == numeric(o) else a) for o, a in names.items()
                if a != numeric(o) or o in lettered}
        compact.append((until, kept))
    # Drop eras that say nothing (all-numeric zones) but keep at least one.
    while len(compact) > 1 and not compact[-1][1]:
        compact.pop()
        compact[-1] = (None, compact[-1][1])
    return compact


def encode(eras):
    parts = []
    for until, names in eras:
        entries = ','.join('%d=%s' % (o, a) for o, a in sorted(names.items()))
        parts.append(entries if until is None else '%s<%d' % (entries, until))
    return ';'.join(parts)


def main():
    zi = open(os.path.join(ZONEINFO, 'tzdata.zi')).read().splitlines()
    version = zi[0].split()[-1]
    zones = sorted(line.split()[1] for line in zi if line.startswith('Z '))
    links = sorted((line.split()[2], line.split()[1]) for line in zi if line.startswith('L '))
    lines = []
    numeric_only = set()
    for zone in zones:
        table = encode(eras_of(os.path.join(ZONEINFO, zone)))
        if table:
            lines.append('%s %s' % (zone, table))
        else:
            numeric_only.add(zone)  # e.g. Etc/GMT+5: absent from the table means numeric
    for link, target in links:
        if target not in zones:
            raise SystemExit('link %s -> %s: target is not a zone' % (link, target))
        if target not in numeric_only:
            lines.append('%s >%s' % (link, target))
    for line in lines:
        if '"' in line or '\\' in line or len(line) > 2000:
            raise SystemExit('unexpected table line: ' + line)
    # Class-file string constants are limited to 64 KiB, so the table is split in chunks.
    chunks, chunk = [], []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 30000:
            chunks.append(chunk)
            chunk = []
        chunk.append(line)
    chunks.append(chunk)
    body = ',\n'.join('      """\n' + ''.join('      %s\n' % x for x in c) + '      """' for c in chunks)
    java = TEMPLATE.replace('@VERSION@', version).replace('@CHUNKS@', body)
    with open(OUT, 'w') as out:
        out.write(java)
    print('wrote %s (%d zones, %d links, tzdata %s)' % (OUT, len(zones), len(links), version))


TEMPLATE = '''package nioreactor.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The time zone abbreviations glibc prints for {@code %Z}, taken from tzdata @VERSION@.
 *
 * <p>GENERATED by {@code src/test/python/gen_zone_names.py} from the system's TZif files; do not
 * edit by hand, run the script again after a tzdata update.
 *
 * <p>Why a table: glibc prints the abbreviation stored in the TZif file, java.time keeps only
 * the offsets, and Java's display names come from CLDR ("BRT", "GMT+05:30"), which differ
 * from tzdata for hundreds of zones. Each line is {@code zone eras} or {@code link >target}; the
 * eras are separated by {@code ;}, each is {@code offset=name,...} optionally followed by
 * {@code <until} (epoch second, exclusive) and the last one is open-ended. Offsets that are
 * not listed, and entries with an empty name, are printed in zic's numeric form (-03, +0530).
 */
final class TimeFormatZoneNames {

  /** Abbreviations per zone and era; immutable once built. */
  private static final Map<String, Zone> ZONES = parse(
@CHUNKS@);

  private TimeFormatZoneNames() {}

  /**
   * The abbreviation glibc would print for the zone at the instant, or {@code null} when the
   * table has no lettered name for it (the caller then prints the numeric form).
   */
  static String lookup(String zoneId, long epochSecond, int offsetSeconds) {
    Zone zone = ZONES.get(zoneId);
    return zone == null ? null : zone.name(epochSecond, offsetSeconds);
  }

  /** The era table of one zone: era i is valid before {@code until[i]}. */
  private static final class Zone {
    private final long[] until;
    private final Era[] eras;

    Zone(long[] until, Era[] eras) {
      this.until = until;
      this.eras = eras;
    }

    String name(long epochSecond, int offsetSeconds) {
      int era = 0;
      while (era < until.length - 1 && epochSecond >= until[era]) {
        era++;
      }
      // An offset missing from its era (java.time's tzdata may differ slightly from the
      // system's) takes the name from the nearest era that knows the offset.
      for (int distance = 0; distance < eras.length; distance++) {
        String name = nameIn(era + distance, offsetSeconds);
        if (name == null) {
          name = nameIn(era - distance, offsetSeconds);
        }
        if (name != null) {
          return name.isEmpty() ? null : name;
        }
      }
      return null;
    }

    private String nameIn(int era, int offsetSeconds) {
      return era < 0 || era >= eras.length ? null : eras[era].name(offsetSeconds);
    }
  }

  /** Offset to name within one era; a handful of entries, so a linear scan is cheapest. */
  private static final class Era {
    private final int[] offsets;
    private final String[] names;

    Era(int[] offsets, String[] names) {
      this.offsets = offsets;
      this.names = names;
    }

    String name(int offsetSeconds) {
      for (int i = 0; i < offsets.length; i++) {
        if (offsets[i] == offsetSeconds) {
          return names[i];
        }
      }
      return null;
    }
  }

  private static Map<String, Zone> parse(String... chunks) {
    Map<String, Zone> zones = new HashMap<>();
    Map<String, String> links = new HashMap<>();
    for (String chunk : chunks) {
      for (String line : chunk.split("\\n")) {
        int space = line.indexOf(' ');
        String id = line.substring(0, space);
        String rest = line.substring(space + 1);
        if (rest.startsWith(">")) {
          links.put(id, rest.substring(1));
        } else {
          zones.put(id, parseZone(rest));
        }
      }
    }
    links.forEach((link, target) -> {
      Zone zone = zones.get(target);
      if (zone != null) {
        zones.put(link, zone);
      }
    });
    return Map.copyOf(zones);
  }

  private static Zone parseZone(String text) {
    String[] eraTexts = text.split(";", -1);
    long[] until = new long[eraTexts.length];
    Era[] eras = new Era[eraTexts.length];
    for (int i = 0; i < eraTexts.length; i++) {
      String era = eraTexts[i];
      int lt = era.indexOf('<');
      until[i] = lt < 0 ? Long.MAX_VALUE : Long.parseLong(era.substring(lt + 1));
      String entries = lt < 0 ? era : era.substring(0, lt);
      String[] items = entries.isEmpty() ? new String[0] : entries.split(",");
      int[] offsets = new int[items.length];
      String[] names = new String[items.length];
      for (int j = 0; j < items.length; j++) {
        int eq = items[j].indexOf('=');
        offsets[j] = Integer.parseInt(items[j].substring(0, eq));
        names[j] = items[j].substring(eq + 1);
      }
      eras[i] = new Era(offsets, names);
    }
    return new Zone(until, eras);
  }
}
'''

if __name__ == '__main__':
    main()
