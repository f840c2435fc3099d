//! Exact transportation solver: min-cost flow by successive shortest paths with node potentials.
//!
//! Rows are *tokens* (one per bed a unit needs; a unit of `b` beds has `b` identical tokens),
//! columns are facilities with a capacity in beds, plus one *dummy* column of unlimited capacity
//! and value 0 that stands for "not placed". Facilities are single capacitated nodes: beds are
//! never expanded, so a row's arc list has one entry per eligible facility.
//!
//! Tokens are added one at a time (as in the Hungarian method). Before token `k` arrives the flow
//! is a maximum-value transportation plan for tokens `0..k` (every token placed, possibly on the
//! dummy); augmenting along a shortest path from `k` to the sink in the residual graph keeps it
//! maximum (the standard successive-shortest-path argument: the residual graph of an optimal
//! flow has no negative cycle, and adding a source arc to a new row creates none). Dijkstra runs
//! on reduced costs `c(u, v) + p(u) − p(v) ≥ 0`; after each search the potentials of settled
//! nodes are lowered by `d(sink) − d(node)`, which keeps every reduced cost non-negative and makes
//! the augmenting path tight.
//!
//! Integer arithmetic (`i128`) throughout, so optima are compared exactly.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// One arc: facility column and the value one token earns there (positive).
pub(crate) type Arc = (u32, i128);

/// Where every token went and the plan's value.
pub(crate) struct Plan {
    /// Column of each token, in the order the tokens were given; `None` = not placed (dummy).
    pub token_col: Vec<Option<u32>>,
    /// Sum of the values of placed tokens.
    pub value: i128,
    /// Per facility column: an optimal dual price of one bed (≥ 0; 0 where beds are left), read
    /// off the potentials: every token earns at most its row price plus this.
    pub bed_price: Vec<i128>,
}

const INF: i128 = i128::MAX / 4;

/// Solves the transportation problem.
///
/// * `caps[j]`: beds free at facility `j`.
/// * `tokens[t]`: the arc list of token `t` (tokens of one unit share a list).
///
/// Returns a plan of maximum total value. Deterministic: ties are broken by node index.
pub(crate) fn solve(caps: &[u32], tokens: &[&[Arc]]) -> Plan {
    let m = caps.len();
    let dummy = m;
    let n = tokens.len();
    // Potentials: columns 0..=m (m = dummy), rows, sink (fixed at 0).
    let mut pc = vec![0i128; m + 1];
    let mut pr = vec![0i128; n];
    let pt: i128 = 0;
    // Assignment state.
    let mut col_of: Vec<u32> = vec![u32::MAX; n];
    let mut row_val: Vec<i128> = vec![0; n];
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); m];
    // Per-search scratch, reset through the touched lists (never O(n + m) per search).
    let mut dc = vec![INF; m + 1];
    let mut settled_c = vec![false; m + 1];
    let mut pred_row = vec![u32::MAX; m + 1];
    let mut dr = vec![INF; n];
    let mut touched_c: Vec<usize> = Vec::new();
    let mut settled_rows: Vec<usize> = Vec::new();
    // Heap keys: (distance, node); node 0 is the sink, node j + 1 is column j.
    let mut heap: BinaryHeap<Reverse<(i128, u32)>> = BinaryHeap::new();

    for k in 0..n {
        let arcs = tokens[k];
        // Row potential making every arc out of k non-negative: p(k) = max_j (p(j) + value).
        let mut p = pc[dummy];
        for &(j, v) in arcs {
            p = p.max(pc[j as usize] + v);
        }
        pr[k] = p;
        dr[k] = 0;
        settled_rows.push(k);
        heap.clear();

        let mut dt = INF;
        let mut t_pred = usize::MAX;

        // Relax every residual arc out of row r.
        macro_rules! relax_row {
            ($r:expr) => {{
                let r: usize = $r;
                let base = dr[r] + pr[r];
                let cur = col_of[r] as usize;
                for &(j, v) in tokens[r] {
                    let j = j as usize;
                    if j == cur || settled_c[j] {
                        continue;
                    }
                    let nd = base - v - pc[j];
                    if nd < dc[j] {
                        if dc[j] == INF {
                            touched_c.push(j);
                        }
                        dc[j] = nd;
                        pred_row[j] = r as u32;
                        heap.push(Reverse((nd, j as u32 + 1)));
                    }
                }
                if cur != dummy && !settled_c[dummy] {
                    let nd = base - pc[dummy];
                    if nd < dc[dummy] {
                        if dc[dummy] == INF {
                            touched_c.push(dummy);
                        }
                        dc[dummy] = nd;
                        pred_row[dummy] = r as u32;
                        heap.push(Reverse((nd, dummy as u32 + 1)));
                    }
                }
            }};
        }

        // Fast path (the common case when beds are plentiful): the cheapest first step from k
        // ends in a column with room. Dijkstra would settle k, then that column, then the sink
        // at the same distance (a column with room has p(j) = p(sink): potentials of columns only
        // fall, and only while they are full), so augment directly. Ties as the heap would break
        // them: smallest (distance, column).
        let mut first = (pr[k] - pc[dummy], dummy);
        for &(j, v) in arcs {
            let j = j as usize;
            let nd = pr[k] - v - pc[j];
            if (nd, j) < first {
                first = (nd, j);
            }
        }
        let (d1, j1) = first;
        if (j1 == dummy || members[j1].len() < caps[j1] as usize) && pc[j1] == pt {
            pr[k] -= d1;
            col_of[k] = j1 as u32;
            row_val[k] = if j1 == dummy {
                0
            } else {
                members[j1].push(k as u32);
                arcs.iter().find(|a| a.0 as usize == j1).map_or(0, |a| a.1)
            };
            dr[k] = INF;
            settled_rows.clear();
            continue;
        }

        relax_row!(k);
        while let Some(Reverse((d, node))) = heap.pop() {
            if node == 0 {
                break;
            }
            let j = (node - 1) as usize;
            if settled_c[j] || d > dc[j] {
                continue;
            }
            settled_c[j] = true;
            let has_room = j == dummy || members[j].len() < caps[j] as usize;
            if has_room {
                // Arc column → sink (reduced cost p(j) − p(sink) ≥ 0).
                let nd = d + pc[j] - pt;
                if nd < dt {
                    dt = nd;
                    t_pred = j;
                    heap.push(Reverse((nd, 0)));
                }
            } else {
                // Full: move on to the rows placed here, along their (tight) reverse arcs.
                for &r in &members[j] {
                    let r = r as usize;
                    let red = row_val[r] + pc[j] - pr[r];
                    dr[r] = d + red.max(0);
                    settled_rows.push(r);
                    relax_row!(r);
                }
            }
        }

        // The dummy column is always reachable from k, so the sink always is: t_pred is set.
        // Update potentials of nodes settled before the sink.
        for &j in &touched_c {
            if settled_c[j] && dc[j] < dt {
                pc[j] += dc[j] - dt;
            }
        }
        for &r in &settled_rows {
            if dr[r] < dt {
                pr[r] += dr[r] - dt;
            }
        }

        // Augment: walk back from the column next to the sink.
        let mut j = t_pred;
        while j != usize::MAX {
            let r = pred_row[j] as usize;
            let old = col_of[r];
            col_of[r] = j as u32;
            row_val[r] = if j == dummy {
                0
            } else {
                members[j].push(r as u32);
                tokens[r]
                    .iter()
                    .find(|a| a.0 as usize == j)
                    .map_or(0, |a| a.1)
            };
            if old == u32::MAX {
                break; // r is the new token k
            }
            let o = old as usize;
            if let Some(pos) = members[o].iter().position(|&x| x as usize == r) {
                members[o].swap_remove(pos);
            }
            j = o;
        }

        // Reset scratch.
        for &j in &touched_c {
            dc[j] = INF;
            settled_c[j] = false;
            pred_row[j] = u32::MAX;
        }
        touched_c.clear();
        for &r in &settled_rows {
            dr[r] = INF;
        }
        settled_rows.clear();
    }

    let mut value = 0;
    let token_col = col_of
        .iter()
        .zip(&row_val)
        .map(|(&c, &v)| {
            if c as usize == dummy || c == u32::MAX {
                None
            } else {
                value += v;
                Some(c)
            }
        })
        .collect();
    let bed_price = pc[..m].iter().map(|&p| (pt - p).max(0)).collect();
    Plan {
        token_col,
        value,
        bed_price,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over every way to put each token on one of its arcs or nowhere.
    fn brute(caps: &[u32], tokens: &[&[Arc]]) -> i128 {
        fn go(i: usize, caps: &mut [u32], tokens: &[&[Arc]]) -> i128 {
            if i == tokens.len() {
                return 0;
            }
            let mut best = go(i + 1, caps, tokens);
            for &(j, v) in tokens[i] {
                if caps[j as usize] > 0 {
                    caps[j as usize] -= 1;
                    best = best.max(v + go(i + 1, caps, tokens));
                    caps[j as usize] += 1;
                }
            }
            best
        }
        go(0, &mut caps.to_vec(), tokens)
    }

    #[test]
    fn displacement_chain() {
        // Token 0 prefers f0 slightly; token 1 can only use f0 and values it highly.
        let a: Vec<Arc> = vec![(0, 10), (1, 9)];
        let b: Vec<Arc> = vec![(0, 20)];
        let caps = [1, 1];
        let plan = solve(&caps, &[&a, &b]);
        assert_eq!(plan.value, 29);
        assert_eq!(plan.token_col, vec![Some(1), Some(0)]);
    }

    #[test]
    fn leaves_out_when_no_room() {
        let a: Vec<Arc> = vec![(0, 5)];
        let plan = solve(&[1], &[&a, &a, &a]);
        assert_eq!(plan.value, 5);
        assert_eq!(plan.token_col.iter().filter(|c| c.is_some()).count(), 1);
    }

    #[test]
    fn agrees_with_brute_force_on_small_cases() {
        // A deterministic pseudo-random generator (no randomness in the crate; this is a test).
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |m: u64| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s % m
        };
        for _ in 0..300 {
            let m = 1 + next(4) as usize;
            let n = 1 + next(6) as usize;
            let caps: Vec<u32> = (0..m).map(|_| next(3) as u32).collect();
            let lists: Vec<Vec<Arc>> = (0..n)
                .map(|_| {
                    let mut l = Vec::new();
                    for j in 0..m as u32 {
                        if next(3) > 0 {
                            l.push((j, 1 + next(50) as i128));
                        }
                    }
                    l
                })
                .collect();
            let tokens: Vec<&[Arc]> = lists.iter().map(Vec::as_slice).collect();
            let plan = solve(&caps, &tokens);
            assert_eq!(plan.value, brute(&caps, &tokens), "{caps:?} {lists:?}");
            for (j, &c) in caps.iter().enumerate() {
                let used = plan
                    .token_col
                    .iter()
                    .filter(|x| **x == Some(j as u32))
                    .count();
                assert!(used <= c as usize);
            }
        }
    }
}
