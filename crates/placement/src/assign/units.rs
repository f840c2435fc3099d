//! Keep-together groups become units; keep-apart pairs become pairs of units.

use crate::error::{PlacementError, Problem};
use crate::model::{Groups, Person};

/// Units over people given in canonical (id) order.
#[derive(Debug, Clone)]
pub(crate) struct Units {
    /// Members of each unit (person indices, ascending). Units are ordered by first member.
    pub members: Vec<Vec<usize>>,
    /// Per unit: units it must be kept apart from (sorted, deduplicated).
    pub apart: Vec<Vec<u32>>,
    /// Per unit: people (indices) any member must be kept apart from (sorted, deduplicated).
    pub apart_people: Vec<Vec<usize>>,
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Builds the units. `people` is sorted by id (ids unique).
pub(crate) fn build(people: &[&Person], groups: &Groups) -> Result<Units, PlacementError> {
    let index = |id: &str| people.binary_search_by(|p| p.id.as_str().cmp(id)).ok();
    let mut parent: Vec<usize> = (0..people.len()).collect();
    for (g, group) in groups.keep_together.iter().enumerate() {
        let mut first = None;
        for (k, id) in group.iter().enumerate() {
            let Some(i) = index(id) else {
                return Err(PlacementError::new(
                    format!("groups.keep_together[{g}][{k}]"),
                    Problem::UnknownPerson { id: id.clone() },
                ));
            };
            match first {
                None => first = Some(i),
                Some(f) => {
                    let (a, b) = (find(&mut parent, f), find(&mut parent, i));
                    // Union by smaller root index keeps the result independent of group order.
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
    }
    let mut unit_of = vec![usize::MAX; people.len()];
    let mut members: Vec<Vec<usize>> = Vec::new();
    for i in 0..people.len() {
        let r = find(&mut parent, i);
        if unit_of[r] == usize::MAX {
            unit_of[r] = members.len();
            members.push(Vec::new());
        }
        unit_of[i] = unit_of[r];
        members[unit_of[i]].push(i);
    }
    let mut apart: Vec<Vec<u32>> = vec![Vec::new(); members.len()];
    let mut apart_people: Vec<Vec<usize>> = vec![Vec::new(); members.len()];
    for (k, [a, b]) in groups.keep_apart.iter().enumerate() {
        let mut ids = [0usize; 2];
        for (s, id) in [a, b].into_iter().enumerate() {
            ids[s] = index(id).ok_or_else(|| {
                PlacementError::new(
                    format!("groups.keep_apart[{k}][{s}]"),
                    Problem::UnknownPerson { id: id.clone() },
                )
            })?;
        }
        let (ua, ub) = (unit_of[ids[0]], unit_of[ids[1]]);
        if ua == ub {
            return Err(PlacementError::new(
                format!("groups.keep_apart[{k}]"),
                Problem::Contradiction {
                    first: a.clone(),
                    second: b.clone(),
                },
            ));
        }
        apart[ua].push(ub as u32);
        apart[ub].push(ua as u32);
        apart_people[ua].push(ids[1]);
        apart_people[ub].push(ids[0]);
    }
    for v in &mut apart {
        v.sort_unstable();
        v.dedup();
    }
    for v in &mut apart_people {
        v.sort_unstable();
        v.dedup();
    }
    Ok(Units {
        members,
        apart,
        apart_people,
    })
}
