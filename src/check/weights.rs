//! Splitting a rule's weights over balanced services' endpoints so that the user's numbers
//! keep their meaning: `-> pve 90, api 10` sends 90 % to pve's endpoints together, whatever
//! their count (the old chart copied 90 to every endpoint, turning a 10 % canary into 6.9 %).

/// The largest weight the Gateway API accepts.
pub const MAX_WEIGHT: u64 = 1_000_000;

/// For each backend `(weight, endpoint count)`, the weights of its endpoints.
///
/// When the exact split fits (every service's share divides evenly after scaling all weights
/// by the smallest common factor), the ratios are exact: `pve 90` over 4 endpoints with
/// `api 10` gives `45, 45, 45, 45` and `20`. Otherwise each service keeps exactly its written
/// weight, split over its endpoints by largest remainder, so the integers add up.
pub fn split(backends: &[(u64, usize)]) -> Vec<Vec<u64>> {
    let factor = backends
        .iter()
        .filter(|&&(w, _)| w > 0)
        .try_fold(1u64, |acc, &(w, n)| {
            let need = n as u64 / gcd(w, n as u64);
            let l = lcm(acc, need);
            (l <= MAX_WEIGHT).then_some(l)
        });
    if let Some(k) = factor {
        let fits = backends
            .iter()
            .all(|&(w, n)| w.saturating_mul(k) / n as u64 <= MAX_WEIGHT);
        if fits {
            return backends
                .iter()
                .map(|&(w, n)| vec![w * k / n as u64; n])
                .collect();
        }
    }
    backends
        .iter()
        .map(|&(w, n)| {
            let n64 = n as u64;
            (0..n64).map(|i| w / n64 + u64::from(i < w % n64)).collect()
        })
        .collect()
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn canary_keeps_its_share() {
        assert_eq!(split(&[(90, 4), (10, 1)]), vec![vec![45; 4], vec![20]]);
        assert_eq!(split(&[(90, 3), (10, 2)]), vec![vec![30; 3], vec![5, 5]]);
        assert_eq!(split(&[(1, 4)]), vec![vec![1; 4]]);
        assert_eq!(split(&[(0, 3), (1, 1)]), vec![vec![0; 3], vec![1]]);
    }

    #[test]
    fn falls_back_to_largest_remainder_when_scaling_overflows() {
        let out = split(&[(1_000_000, 3), (999_999, 1)]);
        assert_eq!(out[0].iter().sum::<u64>(), 1_000_000);
        assert_eq!(out[1], vec![999_999]);
    }

    proptest! {
        /// Each service's share of the total is what the user wrote, exactly when the split is
        /// exact, and the written integers otherwise.
        #[test]
        fn shares_are_preserved(backends in prop::collection::vec((0u64..=1_000_000, 1usize..=8), 1..6)) {
            let out = split(&backends);
            let total_in: u128 = backends.iter().map(|&(w, _)| w as u128).sum();
            let total_out: u128 = out.iter().flatten().map(|&w| w as u128).sum();
            for ((w, n), ws) in backends.iter().zip(&out) {
                prop_assert_eq!(ws.len(), *n);
                prop_assert!(ws.iter().all(|&x| x <= MAX_WEIGHT));
                let share_out: u128 = ws.iter().map(|&x| x as u128).sum();
                // share_out / total_out == w / total_in, cross-multiplied.
                prop_assert_eq!(share_out * total_in, *w as u128 * total_out);
                let (min, max) = (ws.iter().min().unwrap(), ws.iter().max().unwrap());
                prop_assert!(max - min <= 1);
            }
        }
    }
}
