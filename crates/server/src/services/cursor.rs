//! Opaque cursors of lists ordered by an instant and an id (appointments by start,
//! treatments by date): base64url of a small JSON array `[microseconds, id]`. Clients pass
//! them back as they got them; anything else decodes to None (a 400 in the API).

use base64::Engine;
use jiff::Timestamp;

/// The cursor after the row at `at` with `id`.
pub fn encode(at: Timestamp, id: i64) -> String {
    let value = serde_json::json!([at.as_microsecond(), id]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

/// The instant and id of a cursor from [`encode`]; None for anything else.
pub fn decode(cursor: &str) -> Option<(Timestamp, i64)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let (micros, id): (i64, i64) = serde_json::from_slice(&bytes).ok()?;
    Some((Timestamp::from_microsecond(micros).ok()?, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage() {
        let at: Timestamp = "2030-01-07T02:00:00.123456Z".parse().unwrap();
        assert_eq!(decode(&encode(at, 42)), Some((at, 42)));
        assert_eq!(decode("nonsense"), None);
        assert_eq!(decode(""), None);
    }
}
