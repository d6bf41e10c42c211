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

pub(super) fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}

/// The share of requests each of `parts` mirrors gets when `percent` % of requests (all, for
/// `None`) are mirrored to a service balanced over that many Kubernetes Services: together
/// they copy as many requests as the user wrote, not `parts` times as many. `None` when one
/// mirror copies every request.
pub fn mirror_share(percent: Option<u8>, parts: usize) -> Option<crate::ir::Fraction> {
    let parts = parts.max(1) as u64;
    if percent.is_none() && parts == 1 {
        return None;
    }
    let percent = u64::from(percent.unwrap_or(100));
    let (numerator, denominator) = if percent % parts == 0 {
        (percent / parts, 100)
    } else {
        let d = gcd(percent, 100 * parts);
        (percent / d, 100 * parts / d)
    };
    Some(crate::ir::Fraction {
        numerator: u32::try_from(numerator).unwrap_or(u32::MAX),
        denominator: u32::try_from(denominator).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mirrors_of_a_balanced_service_copy_the_written_share_together() {
        let f = |numerator, denominator| {
            Some(crate::ir::Fraction {
                numerator,
                denominator,
            })
        };
        assert_eq!(mirror_share(None, 1), None);
        assert_eq!(mirror_share(Some(10), 1), f(10, 100));
        assert_eq!(mirror_share(Some(10), 2), f(5, 100));
        assert_eq!(mirror_share(None, 2), f(50, 100));
        assert_eq!(mirror_share(None, 3), f(1, 3));
        assert_eq!(mirror_share(Some(10), 3), f(1, 30));
        assert_eq!(mirror_share(Some(0), 4), f(0, 100));
    }

    proptest! {
        #[test]
        fn mirror_parts_add_up(percent in 0u8..=100, parts in 1usize..=16) {
            let share = mirror_share(Some(percent), parts).unwrap();
            prop_assert!(share.numerator <= share.denominator);
            // parts × numerator / denominator == percent / 100, exactly.
            prop_assert_eq!(
                parts as u64 * u64::from(share.numerator) * 100,
                u64::from(percent) * u64::from(share.denominator)
            );
        }
    }

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
