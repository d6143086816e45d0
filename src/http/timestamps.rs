//! Timestamps in the recovery check's answer, written as the same RFC 3339 text chrono's
//! serde writes (`2025-03-01T12:00:00Z`; fractions of 3, 6 or 9 digits when there are any),
//! but formatted into a stack buffer and appended in one piece. chrono's own impl goes
//! through `collect_str`, whose writer escapes its input one character at a time: that was
//! a tenth of a cached check's instructions (`benches/check_instructions.sh`).
//! Years outside 0-9999 and leap seconds take chrono's own path.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// Appends the timestamp as a JSON string to `out`.
pub fn write_json(time: &DateTime<Utc>, out: &mut Vec<u8>) {
    let mut buffer = [0u8; LONGEST];
    match format(time, &mut buffer) {
        Some(text) => {
            out.push(b'"');
            out.extend_from_slice(text.as_bytes());
            out.push(b'"');
        }
        // Writing into a Vec fails only if the value's own `Serialize` does: chrono's never does.
        None => {
            let _ = serde_json::to_writer(out, time);
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`
const LONGEST: usize = 30;

/// The text, or `None` when chrono's own formatting is needed (a year outside 0-9999, a
/// leap second).
fn format<'a>(time: &DateTime<Utc>, buffer: &'a mut [u8; LONGEST]) -> Option<&'a str> {
    let year = time.year();
    let nanos = time.nanosecond();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    let mut text = Text { buffer, len: 0 };
    text.digits(year as u32, 4);
    text.byte(b'-');
    text.digits(time.month(), 2);
    text.byte(b'-');
    text.digits(time.day(), 2);
    text.byte(b'T');
    text.digits(time.hour(), 2);
    text.byte(b':');
    text.digits(time.minute(), 2);
    text.byte(b':');
    text.digits(time.second(), 2);
    // chrono's choice of precision: the fewest of 3, 6 or 9 digits that lose nothing.
    if nanos != 0 {
        text.byte(b'.');
        match nanos {
            n if n % 1_000_000 == 0 => text.digits(n / 1_000_000, 3),
            n if n % 1_000 == 0 => text.digits(n / 1_000, 6),
            n => text.digits(n, 9),
        }
    }
    text.byte(b'Z');
    let len = text.len;
    std::str::from_utf8(&buffer[..len]).ok()
}

struct Text<'a> {
    buffer: &'a mut [u8; LONGEST],
    len: usize,
}

impl Text<'_> {
    fn byte(&mut self, byte: u8) {
        self.buffer[self.len] = byte;
        self.len += 1;
    }

    /// `value` in exactly `count` decimal digits, zero-padded.
    fn digits(&mut self, value: u32, count: u32) {
        for place in (0..count).rev() {
            self.byte(b'0' + (value / 10u32.pow(place) % 10) as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn both(time: DateTime<Utc>) -> (String, String) {
        let mut fast = Vec::new();
        write_json(&time, &mut fast);
        (
            String::from_utf8(fast).expect("JSON is UTF-8"),
            serde_json::to_string(&time).expect("serialises"),
        )
    }

    #[test]
    fn writes_what_chrono_writes() {
        let base = Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap();
        assert_eq!(both(base).0, "\"2025-03-01T12:00:00Z\"");
        let fractions = [
            0,
            1,
            7_000,
            120_000_000,
            123_000_000,
            123_456_000,
            123_456_789,
            999_999_999,
        ];
        // A spread of dates from year 0 to 9999, each with every kind of fraction.
        let mut seconds = -62_167_219_200i64; // 0000-01-01T00:00:00Z
        while seconds < 253_402_300_799 {
            for nanos in fractions {
                let time = Utc.timestamp_opt(seconds, nanos).unwrap();
                let (fast, chrono) = both(time);
                assert_eq!(fast, chrono, "{seconds} s {nanos} ns");
            }
            seconds += 7_919 * 86_400 + 3_601 * 7 + 13;
        }
    }

    #[test]
    fn leaves_the_rare_cases_to_chrono() {
        let far = Utc.with_ymd_and_hms(12_345, 1, 2, 3, 4, 5).unwrap();
        let before = Utc.with_ymd_and_hms(-5, 1, 2, 3, 4, 5).unwrap();
        let leap = Utc
            .with_ymd_and_hms(2016, 12, 31, 23, 59, 59)
            .unwrap()
            .with_nanosecond(1_500_000_000)
            .expect("a leap second");
        for time in [far, before, leap] {
            let (fast, chrono) = both(time);
            assert_eq!(fast, chrono);
        }
    }
}
