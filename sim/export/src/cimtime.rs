//! CIM datetimes and intervals from sim time. Owns the text formats
//! `yyyymmddHHMMSS.mmmmmm+000` (an instant, nanoseconds since the sim epoch
//! 2026-01-01T00:00:00Z) and `ddddddddHHMMSS.mmmmmm:000` (a duration); it must never read a
//! clock: every instant arrives as an argument.

/// Days from 1970-01-01 to the sim epoch 2026-01-01.
const EPOCH_DAYS_SINCE_1970: i64 = 20_454;
const NS_PER_US: u64 = 1_000;
const NS_PER_S: u64 = 1_000_000_000;
const S_PER_DAY: u64 = 86_400;
/// The largest day count a CIM interval can show (8 digits).
const INTERVAL_DAYS_MAX: u64 = 99_999_999;

/// Five minutes, the job's `TimeBeforeRemoval`.
pub const TIME_BEFORE_REMOVAL_NS: u64 = 5 * 60 * NS_PER_S;

/// `UntilTime` of a job that may run indefinitely: CIM_Job's "all nines", as the latest
/// datetime the format can hold.
pub const UNTIL_INDEFINITELY: &str = "99991231235959.999999+000";

/// A CIM datetime for `time_ns` nanoseconds after 2026-01-01T00:00:00Z (UTC, offset `+000`).
pub fn datetime(time_ns: u64) -> String {
    let total_s = time_ns / NS_PER_S;
    let micros = (time_ns % NS_PER_S) / NS_PER_US;
    let days = (total_s / S_PER_DAY) as i64;
    let seconds_of_day = total_s % S_PER_DAY;
    let (year, month, day) = civil_from_days(EPOCH_DAYS_SINCE_1970 + days);
    assert!((1..=12).contains(&month) && (1..=31).contains(&day));
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}.{micros:06}+000",
        seconds_of_day / 3600,
        (seconds_of_day / 60) % 60,
        seconds_of_day % 60
    )
}

/// A CIM interval for a duration of `duration_ns` (days saturate at 99999999).
pub fn interval(duration_ns: u64) -> String {
    let total_s = duration_ns / NS_PER_S;
    let micros = (duration_ns % NS_PER_S) / NS_PER_US;
    let days = (total_s / S_PER_DAY).min(INTERVAL_DAYS_MAX);
    let seconds_of_day = total_s % S_PER_DAY;
    let text = format!(
        "{days:08}{:02}{:02}{:02}.{micros:06}:000",
        seconds_of_day / 3600,
        (seconds_of_day / 60) % 60,
        seconds_of_day % 60
    );
    assert_eq!(text.len(), 25);
    text
}

/// Howard Hinnant's `civil_from_days`: (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days_since_1970: i64) -> (i64, u32, u32) {
    let z = days_since_1970 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_new_year_2026() {
        assert_eq!(datetime(0), "20260101000000.000000+000");
    }

    #[test]
    fn datetime_crosses_month_and_leap_years() {
        // 2026-03-01 is day 31 + 28 = 59 after the epoch (2026 is not a leap year).
        let day_ns = S_PER_DAY * NS_PER_S;
        assert_eq!(
            datetime(59 * day_ns + 3_723 * NS_PER_S + 4_000),
            "20260301010203.000004+000"
        );
        // 2028-02-29 exists: 365 + 365 + 31 + 28 days after the epoch.
        assert_eq!(
            datetime((365 + 365 + 31 + 28) * day_ns),
            "20280229000000.000000+000"
        );
    }

    #[test]
    fn interval_of_five_minutes() {
        assert_eq!(
            interval(TIME_BEFORE_REMOVAL_NS),
            "00000000000500.000000:000"
        );
        assert_eq!(interval(u64::MAX).len(), 25);
    }
}
