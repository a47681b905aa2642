//! Similarity of embeddings, as a percentage like the AWS `Similarity` and `Confidence` fields.

/// Returns the cosine similarity of `a` and `b`, clamped at 0, times 100. A zero vector is
/// similar to nothing, so it scores 0.
pub(crate) fn similarity(a: &[f32], b: &[f32]) -> f64 {
    let mut dot = 0.0_f64;
    let mut norm_a = 0.0_f64;
    let mut norm_b = 0.0_f64;
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        dot += x * y;
        norm_a += x * x;
        norm_b += y * y;
    }
    if norm_a == 0.0 || norm_b == 0.0 {
        return 0.0;
    }
    (dot / (norm_a.sqrt() * norm_b.sqrt())).clamp(0.0, 1.0) * 100.0
}

/// Returns the normalised mean of `embeddings`, a user's embedding, or `None` for no
/// embeddings.
pub(crate) fn normalised_mean<'a>(
    embeddings: impl IntoIterator<Item = &'a [f32]>,
) -> Option<Vec<f32>> {
    let mut sum: Vec<f64> = Vec::new();
    for embedding in embeddings {
        if sum.is_empty() {
            sum = vec![0.0; embedding.len()];
        }
        for (total, value) in sum.iter_mut().zip(embedding) {
            *total += f64::from(*value) / norm(embedding);
        }
    }
    if sum.is_empty() {
        return None;
    }
    let length = sum.iter().map(|value| value * value).sum::<f64>().sqrt();
    let scale = if length == 0.0 { 0.0 } else { 1.0 / length };
    #[expect(
        clippy::cast_possible_truncation,
        reason = "embeddings are stored as f32"
    )]
    Some(sum.iter().map(|value| (value * scale) as f32).collect())
}

fn norm(embedding: &[f32]) -> f64 {
    let length = embedding
        .iter()
        .map(|value| f64::from(*value).powi(2))
        .sum::<f64>()
        .sqrt();
    if length == 0.0 { 1.0 } else { length }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_vectors_are_100() {
        assert!((similarity(&[1.0, 2.0], &[1.0, 2.0]) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn opposite_vectors_clamp_to_0() {
        assert_eq!(similarity(&[1.0, 0.0], &[-1.0, 0.0]), 0.0);
    }

    #[test]
    fn zero_vector_scores_0() {
        assert_eq!(similarity(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }

    #[test]
    fn mean_is_unit_length() {
        let mean = normalised_mean([&[3.0_f32, 0.0][..], &[0.0, 4.0][..]]).unwrap();
        let length: f32 = mean.iter().map(|value| value * value).sum::<f32>().sqrt();
        assert!((length - 1.0).abs() < 1e-6);
    }
}
