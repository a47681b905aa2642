//! The string patterns of the service model, as predicates over whole strings.

use std::sync::LazyLock;

use regex::Regex;

/// Pattern of `FaceId` and `ImageId`: a lower-case UUID.
pub(crate) const UUID_PATTERN: &str =
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
pub(crate) const COLLECTION_ID_PATTERN: &str = r"[a-zA-Z0-9_.\-]+";
pub(crate) const USER_ID_PATTERN: &str = r"[a-zA-Z0-9_.\-:]+";
pub(crate) const EXTERNAL_IMAGE_ID_PATTERN: &str = r"[a-zA-Z0-9_.\-:]+";
pub(crate) const CLIENT_REQUEST_TOKEN_PATTERN: &str = "^[a-zA-Z0-9-_]+$";
pub(crate) const MODEL_VERSION_PATTERN: &str = r"[0-9\.]+";
pub(crate) const TAG_KEY_PATTERN: &str = r"^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$";
pub(crate) const TAG_VALUE_PATTERN: &str = r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$";

/// The tag character class; the regex crate has no look-ahead, so the `aws:` prefix is
/// checked apart.
static TAG_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$").expect("the tag pattern is a valid regex")
});

/// Returns true for a lower-case UUID, the form of every `FaceId` and `ImageId`.
pub(crate) fn is_face_id(value: &str) -> bool {
    parse_face_id(value).is_some()
}

/// Parses a lower-case UUID into its 128-bit value, the key of a face in storage.
pub(crate) fn parse_face_id(value: &str) -> Option<u128> {
    let bytes = value.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    let mut id: u128 = 0;
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 8 | 13 | 18 | 23) {
            if *byte != b'-' {
                return None;
            }
            continue;
        }
        let digit = match byte {
            b'0'..=b'9' => byte - b'0',
            b'a'..=b'f' => byte - b'a' + 10,
            _ => return None,
        };
        id = (id << 4) | u128::from(digit);
    }
    Some(id)
}

/// Formats a face key back into the lower-case UUID text.
pub(crate) fn format_face_id(id: u128) -> String {
    uuid::Uuid::from_u128(id).hyphenated().to_string()
}

pub(crate) fn is_collection_id(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-'))
}

/// Returns true for the pattern shared by `UserId` and `ExternalImageId`.
pub(crate) fn is_user_id(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-' | b':'))
}

pub(crate) fn is_client_request_token(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-'))
}

pub(crate) fn is_model_version(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'.')
}

pub(crate) fn is_tag_key(value: &str) -> bool {
    !value.starts_with("aws:") && TAG_TEXT.is_match(value)
}

pub(crate) fn is_tag_value(value: &str) -> bool {
    TAG_TEXT.is_match(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn face_id_accepts_lower_case_uuid() {
        assert!(is_face_id("ff43d742-0c13-5d16-a3e8-03d3f58e980b"));
    }

    #[test]
    fn face_id_rejects_upper_case_and_malformed() {
        assert!(!is_face_id("FF43D742-0C13-5D16-A3E8-03D3F58E980B"));
        assert!(!is_face_id("ff43d742-0c13-5d16-a3e8-03d3f58e980"));
        assert!(!is_face_id("ff43d742x0c13-5d16-a3e8-03d3f58e980b"));
        assert!(!is_face_id(""));
    }

    #[test]
    fn face_id_round_trips_through_key() {
        let text = "ff43d742-0c13-5d16-a3e8-03d3f58e980b";
        let key = parse_face_id(text).unwrap();
        assert_eq!(format_face_id(key), text);
    }

    #[test]
    fn face_key_order_is_text_order() {
        let low = parse_face_id("0fffffff-ffff-ffff-ffff-ffffffffffff").unwrap();
        let high = parse_face_id("a0000000-0000-0000-0000-000000000000").unwrap();
        assert!(low < high);
    }

    #[test]
    fn collection_id_pattern() {
        assert!(is_collection_id("my_photos-1.0"));
        assert!(is_collection_id("1"));
        assert!(!is_collection_id("my photos"));
        assert!(!is_collection_id("a:b"));
    }

    #[test]
    fn tag_key_rejects_aws_prefix() {
        assert!(is_tag_key("team"));
        assert!(is_tag_key("ünïcode key"));
        assert!(!is_tag_key("aws:owner"));
        assert!(!is_tag_key("semi;colon"));
    }
}
