//! Writes random faces as JSON lines on standard output, for trying out and measuring
//! `facestore import-faces`.
//!
//! ```text
//! cargo run --example generate_faces -- COUNT DIMENSION [--user-fraction F] [--users N] [--seed S]
//! ```
//!
//! Each face has a random lower-case UUID `FaceId`, an `ImageId` shared by 1 to 3 faces, a
//! `BoundingBox`, a `Confidence` and an embedding of DIMENSION floats in `[-1, 1)`. A fraction
//! F of the faces (default 0) gets a `UserId` among N users named `user-0`, `user-1`, ...
//! (default: as many users as give each about 50 faces), assigned in turn. The same seed
//! (default 1) gives the same output.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use facestore::api::{BoundingBox, FaceInput};

/// Faces per user when `--users` is not given; half the 100 that a user may have.
const DEFAULT_FACES_PER_USER: u64 = 50;

/// Maximum number of faces a user may have in a collection.
const MAX_FACES_PER_USER: u64 = 100;

const USAGE: &str =
    "usage: generate_faces COUNT DIMENSION [--user-fraction F] [--users N] [--seed S]";

/// Generation settings from the command line.
struct Settings {
    count: u64,
    dimension: usize,
    associated: u64,
    users: u64,
    seed: u64,
}

fn main() -> ExitCode {
    let settings = match parse_settings(std::env::args().skip(1)) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("generate_faces: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let stdout = io::stdout().lock();
    match write_faces(&settings, BufWriter::with_capacity(1 << 16, stdout)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("generate_faces: writing the output failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse_settings(mut args: impl Iterator<Item = String>) -> Result<Settings, String> {
    let count = parse_number::<u64>("COUNT", args.next())?;
    let dimension = parse_number::<usize>("DIMENSION", args.next())?;
    if !(1..=facestore::MAX_EMBEDDING_DIMENSION).contains(&dimension) {
        return Err(format!(
            "DIMENSION {dimension} is out of range; an embedding has 1 to {} values",
            facestore::MAX_EMBEDDING_DIMENSION
        ));
    }

    let mut fraction = 0.0;
    let mut users = None;
    let mut seed = 1;
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--user-fraction" => fraction = parse_number::<f64>("--user-fraction", args.next())?,
            "--users" => users = Some(parse_number::<u64>("--users", args.next())?),
            "--seed" => seed = parse_number::<u64>("--seed", args.next())?,
            _ => return Err(format!("unknown argument '{flag}'")),
        }
    }
    if !(0.0..=1.0).contains(&fraction) {
        return Err(format!("--user-fraction {fraction} is not between 0 and 1"));
    }

    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a fraction in 0..=1 of a face count stays within u64"
    )]
    let associated = (count as f64 * fraction).round() as u64;
    let users = users.unwrap_or_else(|| associated.div_ceil(DEFAULT_FACES_PER_USER).max(1));
    if users == 0 && associated > 0 {
        return Err("--users must be at least 1 when --user-fraction is above 0".to_owned());
    }
    if associated > users.saturating_mul(MAX_FACES_PER_USER) {
        return Err(format!(
            "{associated} associated faces over {users} users exceed {MAX_FACES_PER_USER} \
             faces a user; raise --users or lower --user-fraction"
        ));
    }
    Ok(Settings {
        count,
        dimension,
        associated,
        users,
        seed,
    })
}

fn parse_number<T: std::str::FromStr>(name: &str, value: Option<String>) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    let value = value.ok_or_else(|| format!("{name} is missing"))?;
    value
        .parse()
        .map_err(|error| format!("{name} '{value}' is invalid: {error}"))
}

fn write_faces(settings: &Settings, mut output: impl Write) -> io::Result<()> {
    let mut random = SplitMix64(settings.seed);
    let mut image_id = random.uuid();
    let mut faces_left_in_image = 0;

    for index in 0..settings.count {
        if faces_left_in_image == 0 {
            image_id = random.uuid();
            faces_left_in_image = 1 + random.next() % 3;
        }
        faces_left_in_image -= 1;

        // Spreads the associated faces evenly over the output: face `index` is associated when
        // the count of associated faces up to it grows, and the k-th one goes to user k mod N.
        let associated_before = associated_share(index, settings);
        let is_associated = associated_share(index + 1, settings) > associated_before;
        let user_id = is_associated.then(|| format!("user-{}", associated_before % settings.users));

        let face = FaceInput {
            face_id: Some(random.uuid()),
            bounding_box: Some(BoundingBox {
                width: 0.05 + 0.3 * random.unit(),
                height: 0.05 + 0.3 * random.unit(),
                left: 0.6 * random.unit(),
                top: 0.6 * random.unit(),
            }),
            image_id: Some(image_id.clone()),
            external_image_id: None,
            confidence: Some(90.0 + 10.0 * random.unit()),
            index_faces_model_version: None,
            user_id,
            embedding: Some(random.embedding(settings.dimension)),
        };
        serde_json::to_writer(&mut output, &face)?;
        output.write_all(b"\n")?;
    }
    output.flush()
}

/// Returns how many of the first `faces` faces are associated with a user.
fn associated_share(faces: u64, settings: &Settings) -> u64 {
    let share = u128::from(faces) * u128::from(settings.associated) / u128::from(settings.count);
    u64::try_from(share).expect("the share is at most the face count")
}

/// SplitMix64, a small deterministic generator: enough for test data, not for secrets.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut value = self.0;
        value = (value ^ (value >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        value = (value ^ (value >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        value ^ (value >> 31)
    }

    /// Returns a float in `[0, 1)` from the top 53 bits.
    #[expect(
        clippy::cast_precision_loss,
        reason = "53 bits fit an f64 mantissa exactly"
    )]
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Returns a lower-case version 4 UUID.
    fn uuid(&mut self) -> String {
        let bytes = ((u128::from(self.next()) << 64) | u128::from(self.next())).to_le_bytes();
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    #[expect(
        clippy::cast_possible_truncation,
        reason = "embeddings are f32; the lost precision is irrelevant for random data"
    )]
    fn embedding(&mut self, dimension: usize) -> Vec<f32> {
        (0..dimension)
            .map(|_| (2.0 * self.unit() - 1.0) as f32)
            .collect()
    }
}
