//! Clusters: reports, cases and suspects that share a normalised identifier, transitively
//! (union-find with path halving and union by size). A pure function over plain rows, so that it
//! can be tested and benched without the store; the service feeds it what the actor may see.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::normalise::{Identifier, IdentifierKind, MatchKind};
use crate::grading::Grading;

/// What a cluster member is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    /// An intelligence report.
    Report,
    /// A case.
    Case,
    /// A suspect.
    Suspect,
}

/// A reference to a cluster member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberRef {
    /// Its kind.
    pub kind: MemberKind,
    /// Its record id.
    pub id: Uuid,
}

/// One member with what links it and what it tells: the input of [`cluster`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRow {
    /// The member.
    pub member: MemberRef,
    /// Its normalised identifiers (phones, plates, names, …).
    pub identifiers: Vec<Identifier>,
    /// Places it names (towns, postcode districts, regions) — not addresses of victims.
    pub places: Vec<String>,
    /// The day it refers to (a report's date of the events, a case's opening).
    pub date: Option<NaiveDate>,
    /// Indicators of trafficking it records.
    pub indicators: Vec<String>,
    /// Its grading, for reports.
    pub grading: Option<Grading>,
    /// Members it is explicitly linked to (a report naming a case or a suspect); linked members
    /// that have rows of their own join its cluster.
    #[serde(default)]
    pub links: Vec<MemberRef>,
}

/// How to cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterOptions {
    /// Whether fuzzy identifiers (folded names and businesses) link members. When false they are
    /// still listed as shared, but only exact identifiers join clusters.
    pub fuzzy_links: bool,
    /// The fewest members a cluster must have to be returned (a lone report is no network).
    pub min_members: usize,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        Self {
            fuzzy_links: true,
            min_members: 2,
        }
    }
}

/// An identifier that two or more members of a cluster share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedIdentifier {
    /// The normalised identifier.
    pub identifier: Identifier,
    /// Exact or fuzzy.
    pub match_kind: MatchKind,
    /// How many members carry it.
    pub members: u32,
}

/// How many members of a cluster record an indicator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorCount {
    /// The indicator.
    pub indicator: String,
    /// Members that record it.
    pub members: u32,
}

/// A group of members linked by shared identifiers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    /// Its members, sorted (kind, then id).
    pub members: Vec<MemberRef>,
    /// Identifiers carried by two or more members, most shared first.
    pub shared: Vec<SharedIdentifier>,
    /// Places named by its members, sorted, without repeats.
    pub places: Vec<String>,
    /// The earliest and latest dates of its members.
    pub first_date: Option<NaiveDate>,
    /// See `first_date`.
    pub last_date: Option<NaiveDate>,
    /// Indicators with the number of members recording each, most frequent first.
    pub indicators: Vec<IndicatorCount>,
    /// The best (lowest [`Grading::strength_rank`]) grading among its members.
    pub best_grading: Option<Grading>,
}

impl Cluster {
    /// Members of one kind.
    pub fn count(&self, kind: MemberKind) -> usize {
        self.members.iter().filter(|m| m.kind == kind).count()
    }
}

/// A small, fast, non-cryptographic hasher (the FxHash multiply-rotate, with a finaliser). Identifiers are hashed
/// in memory only and never leave the process, so HashDoS resistance is not needed here.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(K);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn finish(&self) -> u64 {
        // Multiplication only carries bits upwards, and the table indexes by the low bits: mix
        // the high bits down (the MurmurHash3 64-bit finaliser) so that strings differing only
        // early do not pile into a few buckets.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Union-find over row indices.
struct Dsu {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl Dsu {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

/// Sorts by the 32-bit key, stably, in two passes of 16 bits (LSD radix sort).
fn radix_sort(v: &mut Vec<(u32, u32)>) {
    let mut buf = vec![(0u32, 0u32); v.len()];
    for shift in [0u32, 16] {
        let mut start = vec![0usize; 1 << 16];
        for &(k, _) in v.iter() {
            start[((k >> shift) & 0xffff) as usize] += 1;
        }
        let mut sum = 0;
        for c in start.iter_mut() {
            let n = *c;
            *c = sum;
            sum += n;
        }
        for &e in v.iter() {
            let d = ((e.0 >> shift) & 0xffff) as usize;
            buf[start[d]] = e;
            start[d] += 1;
        }
        std::mem::swap(v, &mut buf);
    }
}

/// Clusters `rows` by shared identifiers, transitively. Rows naming the same member are one
/// member. Clusters come largest first (ties by their first member), deterministic for the
/// same input whatever its order.
pub fn cluster(rows: &[ClusterRow], options: &ClusterOptions) -> Vec<Cluster> {
    let mut first_row: FxMap<MemberRef, u32> = FxMap::default();
    first_row.reserve(rows.len());
    let mut repeated = false;
    for (i, row) in rows.iter().enumerate() {
        repeated |= first_row.insert(row.member, i as u32).is_some();
    }
    let linked = rows.iter().any(|r| !r.links.is_empty());
    if !repeated {
        return cluster_distinct(rows, options, linked.then_some(&first_row));
    }
    // Several rows name one member: give all its identifiers (once each) to its first row, so
    // that a shared identifier counts members, not rows.
    let mut merged: Vec<ClusterRow> = rows.to_vec();
    let mut owner: FxMap<MemberRef, usize> = FxMap::default();
    for i in 0..merged.len() {
        let member = merged[i].member;
        match owner.get(&member) {
            None => {
                owner.insert(member, i);
            }
            Some(&first) => {
                let ids = std::mem::take(&mut merged[i].identifiers);
                merged[first].identifiers.extend(ids);
            }
        }
    }
    for &first in owner.values() {
        let ids = &mut merged[first].identifiers;
        ids.sort_unstable();
        ids.dedup();
    }
    cluster_distinct(&merged, options, Some(&first_row))
}

/// `member_row` maps each member to one of its rows when some member has several rows or some
/// row has links (rows of one member, and linked members, are joined).
fn cluster_distinct(
    rows: &[ClusterRow],
    options: &ClusterOptions,
    member_row: Option<&FxMap<MemberRef, u32>>,
) -> Vec<Cluster> {
    assert!(
        u32::try_from(rows.len()).is_ok(),
        "more than 4 billion rows cannot be clustered in memory"
    );
    let n = rows.len();
    let mut dsu = Dsu::new(n);
    // Every (identifier, row) once, with a 32-bit hash of the identifier.
    let total: usize = rows.iter().map(|r| r.identifiers.len()).sum();
    let mut ids: Vec<&Identifier> = Vec::with_capacity(total);
    let mut row_of: Vec<u32> = Vec::with_capacity(total);
    let mut keyed: Vec<(u32, u32)> = Vec::with_capacity(total);
    let hasher = BuildHasherDefault::<Fx>::default();
    for (i, row) in rows.iter().enumerate() {
        let i = i as u32;
        if let Some(map) = member_row {
            for m in std::iter::once(&row.member).chain(&row.links) {
                if let Some(&other) = map.get(m) {
                    if other != i {
                        dsu.union(other, i);
                    }
                }
            }
        }
        for (j, id) in row.identifiers.iter().enumerate() {
            // The same identifier twice in one row counts once.
            if row.identifiers[..j].contains(id) {
                continue;
            }
            keyed.push((hasher.hash_one(id) as u32, ids.len() as u32));
            ids.push(id);
            row_of.push(i);
        }
    }
    // Equal identifiers have equal hashes: a stable radix sort on the hash puts them next to
    // each other in linear time (no table outgrowing the caches); runs of one hash are then
    // split by the identifiers themselves, so a hash collision never joins anything.
    radix_sort(&mut keyed);
    let mut shared_at: Vec<(u32, u32)> = Vec::new(); // (position of the first carrier, rows)
    let mut run_start = 0;
    let mut distinct: Vec<(u32, u32)> = Vec::new();
    while run_start < keyed.len() {
        let h = keyed[run_start].0;
        let mut run_end = run_start + 1;
        while run_end < keyed.len() && keyed[run_end].0 == h {
            run_end += 1;
        }
        if run_end - run_start > 1 {
            distinct.clear();
            for &(_, pos) in &keyed[run_start..run_end] {
                let id = ids[pos as usize];
                match distinct.iter_mut().find(|(q, _)| ids[*q as usize] == id) {
                    Some((q, count)) => {
                        *count += 1;
                        if options.fuzzy_links || id.kind.match_kind() == MatchKind::Exact {
                            dsu.union(row_of[*q as usize], row_of[pos as usize]);
                        }
                    }
                    None => distinct.push((pos, 1)),
                }
            }
            shared_at.extend(distinct.iter().filter(|(_, c)| *c >= 2));
        }
        run_start = run_end;
    }
    drop(keyed);

    // Number the clusters that are big enough (counting members, not rows).
    const NONE: u32 = u32::MAX;
    let mut roots = vec![NONE; n];
    for i in 0..n as u32 {
        roots[i as usize] = dsu.find(i);
    }
    let mut slot = vec![NONE; n];
    let mut accs: Vec<Acc> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let root = roots[i] as usize;
        if (dsu.size[root] as usize) < options.min_members.max(1) {
            continue;
        }
        if slot[root] == NONE {
            slot[root] = accs.len() as u32;
            accs.push(Acc::default());
        }
        accs[slot[root] as usize].add(row);
    }
    for &(pos, carriers) in &shared_at {
        let id = ids[pos as usize];
        let c = slot[roots[row_of[pos as usize] as usize] as usize];
        if c != NONE {
            accs[c as usize].shared.push(SharedIdentifier {
                identifier: id.clone(),
                match_kind: id.kind.match_kind(),
                members: carriers,
            });
        }
    }
    let mut out: Vec<Cluster> = accs
        .into_iter()
        .map(Acc::finish)
        .filter(|c| c.members.len() >= options.min_members.max(1))
        .collect();
    out.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| a.members.first().cmp(&b.members.first()))
    });
    out
}

#[derive(Default)]
struct Acc<'a> {
    members: Vec<MemberRef>,
    places: Vec<&'a str>,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    indicators: Vec<(&'a str, MemberRef)>,
    best: Option<&'a Grading>,
    shared: Vec<SharedIdentifier>,
}

impl<'a> Acc<'a> {
    fn add(&mut self, row: &'a ClusterRow) {
        self.members.push(row.member);
        self.places.extend(row.places.iter().map(String::as_str));
        if let Some(d) = row.date {
            self.first = Some(self.first.map_or(d, |f| f.min(d)));
            self.last = Some(self.last.map_or(d, |l| l.max(d)));
        }
        self.indicators
            .extend(row.indicators.iter().map(|i| (i.as_str(), row.member)));
        if let Some(g) = &row.grading {
            let better = self
                .best
                .is_none_or(|b| (g.strength_rank(), g.code()) < (b.strength_rank(), b.code()));
            if better {
                self.best = Some(g);
            }
        }
    }

    fn finish(mut self) -> Cluster {
        self.members.sort_unstable();
        self.members.dedup();
        self.places.sort_unstable();
        self.places.dedup();
        self.indicators.sort_unstable();
        self.indicators.dedup();
        let mut indicators: Vec<IndicatorCount> = Vec::new();
        for (ind, _) in &self.indicators {
            match indicators.last_mut() {
                Some(last) if last.indicator == *ind => last.members += 1,
                _ => indicators.push(IndicatorCount {
                    indicator: (*ind).to_owned(),
                    members: 1,
                }),
            }
        }
        indicators.sort_by(|a, b| {
            b.members
                .cmp(&a.members)
                .then_with(|| a.indicator.cmp(&b.indicator))
        });
        self.shared.sort_by(|a, b| {
            b.members
                .cmp(&a.members)
                .then_with(|| a.identifier.cmp(&b.identifier))
        });
        Cluster {
            members: self.members,
            shared: self.shared,
            places: self.places.into_iter().map(str::to_owned).collect(),
            first_date: self.first,
            last_date: self.last,
            indicators,
            best_grading: self.best.cloned(),
        }
    }
}

/// Identifier kinds shared in a cluster, with counts: what an analyst may see of a cluster
/// without seeing identities.
pub fn shared_kinds(cluster: &Cluster) -> Vec<(IdentifierKind, u32)> {
    let mut out: Vec<(IdentifierKind, u32)> = Vec::new();
    for s in &cluster.shared {
        match out.iter_mut().find(|(k, _)| *k == s.identifier.kind) {
            Some((_, n)) => *n += 1,
            None => out.push((s.identifier.kind, 1)),
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grading::{HandlingCode, IntelligenceAssessment, SourceEvaluation};
    use proptest::prelude::*;

    fn id(kind: IdentifierKind, raw: &str) -> Identifier {
        Identifier::parse(kind, raw).expect("valid")
    }

    fn row(n: u128, ids: Vec<Identifier>) -> ClusterRow {
        ClusterRow {
            member: MemberRef {
                kind: MemberKind::Report,
                id: Uuid::from_u128(n),
            },
            identifiers: ids,
            places: vec![],
            date: None,
            indicators: vec![],
            grading: None,
            links: vec![],
        }
    }

    fn g(source: SourceEvaluation, intelligence: IntelligenceAssessment) -> Grading {
        Grading::ThreeFiveTwo {
            source,
            intelligence,
            handling: HandlingCode::P,
            conditions: None,
        }
    }

    #[test]
    fn transitive_links_make_one_cluster_with_its_summary() {
        use IdentifierKind::*;
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let mut a = row(1, vec![id(Phone, "07700 900123")]);
        a.places = vec!["Leeds".into()];
        a.date = d("2024-01-05");
        a.indicators = vec!["withheld documents".into(), "debt bondage".into()];
        a.grading = Some(g(
            SourceEvaluation::Untested,
            IntelligenceAssessment::KnownIndirectly,
        ));
        let mut b = row(
            2,
            vec![id(Phone, "+44 7700 900123"), id(VehiclePlate, "AB12 CDE")],
        );
        b.places = vec!["Bradford".into(), "Leeds".into()];
        b.date = d("2024-03-01");
        b.indicators = vec!["debt bondage".into()];
        b.grading = Some(g(
            SourceEvaluation::Reliable,
            IntelligenceAssessment::KnownDirectly,
        ));
        let mut c = row(3, vec![id(VehiclePlate, "ab12cde")]);
        c.member.kind = MemberKind::Suspect;
        c.date = d("2023-12-24");
        let lone = row(4, vec![id(Phone, "07700 900999")]);
        let out = cluster(&[a, b, c, lone], &ClusterOptions::default());
        assert_eq!(out.len(), 1);
        let cl = &out[0];
        assert_eq!(cl.members.len(), 3);
        assert_eq!(cl.count(MemberKind::Suspect), 1);
        assert_eq!(cl.shared.len(), 2);
        assert!(
            cl.shared
                .iter()
                .all(|s| s.members == 2 && s.match_kind == MatchKind::Exact)
        );
        assert_eq!(cl.places, vec!["Bradford", "Leeds"]);
        assert_eq!(cl.first_date, d("2023-12-24"));
        assert_eq!(cl.last_date, d("2024-03-01"));
        assert_eq!(cl.indicators[0].indicator, "debt bondage");
        assert_eq!(cl.indicators[0].members, 2);
        assert_eq!(
            cl.best_grading.as_ref().map(Grading::code).as_deref(),
            Some("1/A/P")
        );
        assert_eq!(shared_kinds(cl), vec![(Phone, 1), (VehiclePlate, 1)]);
    }

    #[test]
    fn fuzzy_links_can_be_turned_off_but_stay_listed() {
        use IdentifierKind::*;
        let rows = [
            row(1, vec![id(Name, "Ëndrit Hoxha"), id(Phone, "07700 900123")]),
            row(2, vec![id(Name, "ENDRIT HOXHA")]),
            row(3, vec![id(Phone, "07700900123")]),
        ];
        let on = cluster(&rows, &ClusterOptions::default());
        assert_eq!(on.len(), 1);
        assert_eq!(on[0].members.len(), 3);
        let off = cluster(
            &rows,
            &ClusterOptions {
                fuzzy_links: false,
                min_members: 2,
            },
        );
        assert_eq!(off.len(), 1);
        assert_eq!(off[0].members.len(), 2);
        // The name is shared by a member outside this cluster: it is listed where its first
        // carrier is, with the fuzzy mark.
        assert!(
            off[0]
                .shared
                .iter()
                .any(|s| s.match_kind == MatchKind::Fuzzy)
        );
    }

    #[test]
    fn rows_for_the_same_member_are_one_member() {
        use IdentifierKind::*;
        let rows = [
            row(1, vec![id(Phone, "07700 900123")]),
            row(1, vec![id(Email, "a@b.co")]),
            row(2, vec![id(Email, "A@B.CO")]),
        ];
        let out = cluster(&rows, &ClusterOptions::default());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].members.len(), 2);
    }

    #[test]
    fn explicit_links_join_clusters() {
        use IdentifierKind::*;
        let mut report = row(1, vec![id(Phone, "07700 900123")]);
        let suspect = MemberRef {
            kind: MemberKind::Suspect,
            id: Uuid::from_u128(9),
        };
        report.links = vec![suspect];
        let mut s = row(9, vec![]);
        s.member = suspect;
        let other = row(2, vec![id(Phone, "+447700900123")]);
        let out = cluster(&[report, s, other], &ClusterOptions::default());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].members.len(), 3);
    }

    /// Reference: components by repeated relaxation over the pairwise "shares an identifier"
    /// relation (quadratic, obviously right).
    fn reference(rows: &[ClusterRow]) -> Vec<Vec<MemberRef>> {
        let n = rows.len();
        let mut comp: Vec<usize> = (0..n).collect();
        loop {
            let mut changed = false;
            for i in 0..n {
                for j in 0..n {
                    let linked = rows[i].member == rows[j].member
                        || rows[i]
                            .identifiers
                            .iter()
                            .any(|x| rows[j].identifiers.contains(x));
                    if linked && comp[j] > comp[i] {
                        comp[j] = comp[i];
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let mut groups: std::collections::BTreeMap<usize, Vec<MemberRef>> = Default::default();
        for i in 0..n {
            groups.entry(comp[i]).or_default().push(rows[i].member);
        }
        let mut out: Vec<Vec<MemberRef>> = groups
            .into_values()
            .map(|mut v| {
                v.sort();
                v.dedup();
                v
            })
            .filter(|v| v.len() >= 2)
            .collect();
        out.sort();
        out
    }

    fn arb_rows() -> impl Strategy<Value = Vec<ClusterRow>> {
        prop::collection::vec((0u128..25, prop::collection::vec(0u32..30, 0..4)), 0..40).prop_map(
            |rows| {
                rows.into_iter()
                    .map(|(m, ids)| {
                        row(
                            m,
                            ids.into_iter()
                                .map(|k| Identifier {
                                    kind: IdentifierKind::Phone,
                                    value: format!("+4477009{k:05}"),
                                })
                                .collect(),
                        )
                    })
                    .collect()
            },
        )
    }

    proptest! {
        /// The radix sort orders by key and keeps equal keys in their input order.
        #[test]
        fn radix_sort_is_a_stable_sort(keys in prop::collection::vec(any::<u32>(), 0..300), small in any::<bool>()) {
            let mut v: Vec<(u32, u32)> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| (if small { k % 7 } else { *k }, i as u32))
                .collect();
            let mut want = v.clone();
            want.sort_by_key(|e| e.0);
            radix_sort(&mut v);
            prop_assert_eq!(v, want);
        }

        /// Clusters are exactly the connected components (of size ≥ 2) of the sharing relation.
        #[test]
        fn clusters_are_the_connected_components(rows in arb_rows()) {
            let mut got: Vec<Vec<MemberRef>> = cluster(&rows, &ClusterOptions::default())
                .into_iter().map(|c| c.members).collect();
            got.sort();
            prop_assert_eq!(got, reference(&rows));
        }

        /// Every shared identifier is carried by at least two members of its cluster, and the
        /// result does not depend on the order of the rows.
        #[test]
        fn order_does_not_matter(rows in arb_rows(), seed in any::<u64>()) {
            let a = cluster(&rows, &ClusterOptions::default());
            let mut shuffled = rows.clone();
            let n = shuffled.len();
            if n > 1 {
                let mut s = seed;
                for i in (1..n).rev() {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    shuffled.swap(i, (s >> 33) as usize % (i + 1));
                }
            }
            let b = cluster(&shuffled, &ClusterOptions::default());
            let members = |v: &[Cluster]| v.iter().map(|c| c.members.clone()).collect::<Vec<_>>();
            prop_assert_eq!(members(&a), members(&b));
            for c in &a {
                for s in &c.shared {
                    let carriers = rows.iter()
                        .filter(|r| r.identifiers.contains(&s.identifier))
                        .map(|r| r.member)
                        .collect::<std::collections::BTreeSet<_>>();
                    prop_assert!(carriers.len() >= 2);
                    prop_assert!(carriers.iter().all(|m| c.members.contains(m)));
                }
            }
        }
    }
}
