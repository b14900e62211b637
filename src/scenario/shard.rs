//! `K/N`, shard K of N, as the command line, `SIMULATE_SHARD` and run reports write it:
//! parsed in one place.

use std::str::FromStr;

use super::Shard;

/// The most shards a run may be split into.
const MAX_SHARDS: u32 = 10_000;

impl FromStr for Shard {
    type Err = String;

    /// `K/N` with 0 ≤ K < N ≤ 10,000; the error says what is wrong and how to write it.
    fn from_str(text: &str) -> Result<Shard, String> {
        let fix = "write K/N, shard K (from 0) of N, e.g. 0/8";
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not K/N; {fix}"))?;
        let (Ok(index), Ok(count)) = (k.trim().parse::<u32>(), n.trim().parse::<u32>()) else {
            return Err(format!("`{text}` is not K/N with whole numbers; {fix}"));
        };
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("`{text}`: N must be from 1 to 10,000"));
        }
        if index >= count {
            return Err(format!(
                "`{text}`: shards are numbered from 0 to {}; {fix}",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_as_k_of_n() {
        assert_eq!("3/8".parse(), Ok(Shard { index: 3, count: 8 }));
        assert_eq!("0/1".parse(), Ok(Shard { index: 0, count: 1 }));
        for bad in ["8/8", "1", "-1/2", "0/0", "a/2", "0/10001"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
