//! Exact branch-and-bound over the transportation relaxation.
//!
//! **Relaxation.** A unit needing `b` beds becomes `b` tokens that may land on different
//! facilities, each earning `value / b` (values are scaled by `L`, the least common multiple of the
//! bed counts, so this is exact integer arithmetic). Keep-apart pairs are ignored. Every real
//! assignment is a feasible plan of this relaxation with the same value, so the relaxation's
//! optimum — found exactly by [`super::flow`] — is an upper bound.
//!
//! **Feasible relaxation = optimal.** When every unit's tokens land on one column (one facility,
//! or all unplaced) and no keep-apart pair shares a facility, the relaxed plan *is* an assignment,
//! and it meets the upper bound, so it is optimal for that node. With only one-bed units and no
//! keep-apart pairs this always happens at the root (transportation problems have integral
//! optima), so that case costs exactly one flow solve.
//!
//! **Branching.** Otherwise pick a unit `u` and facility `f` — a unit involved in a keep-apart
//! conflict at `f` (the one with most conflicts there), else a split unit and the facility holding
//! most of its tokens — and branch on "`u` at `f`" (its keep-apart partners are then barred from
//! `f`) versus "`u` not at `f`". The two children cover every assignment, and each branch removes
//! an option, so the search is finite. Depth first, better bound first; a node whose bound cannot
//! beat the incumbent is pruned.
//!
//! **Incumbent.** Every evaluated node is rounded to an assignment (fixed units, then units whose
//! tokens are together, then the rest greedily by value, respecting beds and keep-apart pairs).
//!
//! **Guarantee.** If the search ends within the node limit, the result is optimal (with or without
//! keep-apart pairs). If the limit is reached, the best assignment found is returned with a proven
//! upper bound on the optimum (the largest bound among unexplored nodes).

use std::borrow::Cow;

use super::flow::{self, Arc};

/// The assignment problem over units (keep-together groups and single people).
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// Free beds per facility.
    pub caps: Vec<u32>,
    /// Beds each unit needs (≥ 1).
    pub beds: Vec<u32>,
    /// Per unit: (facility, value) for every facility the whole unit may use, sorted by facility.
    /// Values are positive.
    pub arcs: Vec<Vec<(u32, i128)>>,
    /// Per unit: the units it must be kept apart from (sorted, no duplicates, never itself).
    pub apart: Vec<Vec<u32>>,
}

/// The search's answer.
pub(crate) struct Outcome {
    /// Facility of each unit, `None` = unplaced.
    pub at: Vec<Option<u32>>,
    /// Whether `value` is proven optimal.
    pub proven: bool,
    /// Relaxations solved.
    pub nodes: u64,
    /// Proven upper bound on the optimum (equal to `value` when proven).
    pub upper_bound: i128,
}

/// Arithmetic would overflow (only for absurd inputs).
#[derive(Debug)]
pub(crate) struct TooLarge;

struct Node {
    fixed: Vec<(u32, u32)>,
    forbidden: Vec<(u32, u32)>,
    /// Scaled upper bound.
    bound: i128,
    /// Per unit, where its tokens went: (column or None, count). Empty for fixed units.
    dist: Vec<Vec<(Option<u32>, u32)>>,
}

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

struct Search<'a> {
    p: &'a Problem,
    scale: i128,
    best_at: Vec<Option<u32>>,
    best_value: i128,
    nodes: u64,
}

impl Search<'_> {
    fn value_of(&self, u: usize, f: u32) -> Option<i128> {
        let arcs = &self.p.arcs[u];
        arcs.binary_search_by_key(&f, |a| a.0)
            .ok()
            .map(|i| arcs[i].1)
    }

    /// Solves the relaxation for a node's decisions.
    fn evaluate(&mut self, fixed: Vec<(u32, u32)>, forbidden: Vec<(u32, u32)>) -> Node {
        self.nodes += 1;
        let p = self.p;
        let n = p.beds.len();
        let mut caps = p.caps.clone();
        let mut fixed_at: Vec<Option<u32>> = vec![None; n];
        let mut fixed_value = 0i128;
        for &(u, f) in &fixed {
            let (ui, fi) = (u as usize, f as usize);
            fixed_at[ui] = Some(f);
            caps[fi] = caps[fi].saturating_sub(p.beds[ui]);
            fixed_value += self.value_of(ui, f).unwrap_or(0) * self.scale;
        }
        // Bars: explicit ones, plus the facilities of fixed keep-apart partners.
        let mut barred: Vec<Vec<u32>> = vec![Vec::new(); n];
        for &(u, f) in &forbidden {
            barred[u as usize].push(f);
        }
        for &(u, f) in &fixed {
            for &q in &p.apart[u as usize] {
                barred[q as usize].push(f);
            }
        }
        let mut lists: Vec<(usize, Cow<'_, [Arc]>)> = Vec::new();
        for u in 0..n {
            if fixed_at[u].is_some() || p.arcs[u].is_empty() {
                continue;
            }
            let b = p.beds[u];
            let per_bed = self.scale / i128::from(b);
            if per_bed == 1 && fixed.is_empty() && barred[u].is_empty() {
                // Nothing to filter or scale (static arcs already fit the free beds): borrow.
                lists.push((u, Cow::Borrowed(&p.arcs[u][..])));
                continue;
            }
            let list: Vec<Arc> = p.arcs[u]
                .iter()
                .filter(|(f, _)| caps[*f as usize] >= b && !barred[u].contains(f))
                .map(|&(f, v)| (f, v * per_bed))
                .collect();
            if !list.is_empty() {
                lists.push((u, Cow::Owned(list)));
            }
        }
        let mut tokens: Vec<&[Arc]> = Vec::new();
        let mut owner: Vec<usize> = Vec::new();
        for (u, list) in &lists {
            for _ in 0..p.beds[*u] {
                tokens.push(list);
                owner.push(*u);
            }
        }
        let plan = flow::solve(&caps, &tokens);
        let knapsack = self.lagrangian_bound(&caps, &lists, &plan.bed_price);
        // Units with no tokens (fixed, or with no arc left) keep an empty entry.
        let mut dist: Vec<Vec<(Option<u32>, u32)>> = vec![Vec::new(); n];
        for (t, col) in plan.token_col.iter().enumerate() {
            let d = &mut dist[owner[t]];
            match d.iter_mut().find(|(c, _)| c == col) {
                Some(e) => e.1 += 1,
                None => d.push((*col, 1)),
            }
        }
        for d in &mut dist {
            d.sort_unstable();
        }
        let node = Node {
            fixed,
            forbidden,
            bound: fixed_value + plan.value.min(knapsack),
            dist,
        };
        self.round(&node);
        node
    }

    /// A second upper bound that respects the integrality of multi-bed units: relax "each unit
    /// placed at most once" with prices `λ_u` (taken from the flow's bed prices `μ`:
    /// `λ_u = max(0, max_f (value_uf − b_u·μ_f))`), leaving one 0/1 knapsack per facility
    /// (capacity = free beds, item = unit of size `b_u` and profit `value_uf − λ_u`). Any `λ ≥ 0`
    /// gives a valid bound `Σ λ_u + Σ_f knapsack_f`; with the flow's optimal prices it is never
    /// weaker than the flow bound, and it is strictly stronger wherever a unit was split.
    fn lagrangian_bound(
        &self,
        caps: &[u32],
        lists: &[(usize, Cow<'_, [Arc]>)],
        price: &[i128],
    ) -> i128 {
        let p = self.p;
        if lists.iter().all(|(u, _)| p.beds[*u] == 1) {
            // One-bed units only: the knapsacks are the flow's LP, so this bound adds nothing.
            return i128::MAX;
        }
        let mut items: Vec<Vec<(u32, i128)>> = vec![Vec::new(); caps.len()];
        let mut total = 0i128;
        for (u, list) in lists {
            let b = p.beds[*u];
            let bb = i128::from(b);
            // Unit values at this node: token value × b.
            let lambda = list
                .iter()
                .map(|&(f, w)| w * bb - bb * price[f as usize])
                .max()
                .unwrap_or(0)
                .max(0);
            total += lambda;
            for &(f, w) in list.iter() {
                let profit = w * bb - lambda;
                if profit > 0 {
                    items[f as usize].push((b, profit));
                }
            }
        }
        let mut best: Vec<i128> = Vec::new();
        for (f, its) in items.iter().enumerate() {
            if its.is_empty() {
                continue;
            }
            let cap = caps[f] as usize;
            if its.iter().all(|&(b, _)| b == 1) {
                // Unit sizes: take the `cap` most profitable.
                let mut v: Vec<i128> = its.iter().map(|x| x.1).collect();
                v.sort_unstable_by(|a, b| b.cmp(a));
                total += v.iter().take(cap).sum::<i128>();
                continue;
            }
            best.clear();
            best.resize(cap + 1, 0);
            for &(b, profit) in its {
                let b = b as usize;
                for c in (b..=cap).rev() {
                    best[c] = best[c].max(best[c - b] + profit);
                }
            }
            total += best[cap];
        }
        total
    }

    /// Turns a node's relaxed plan into a feasible assignment; keeps it if it is the best yet.
    fn round(&mut self, node: &Node) {
        let p = self.p;
        let n = p.beds.len();
        let mut at: Vec<Option<u32>> = vec![None; n];
        let mut caps = p.caps.clone();
        let fits = |at: &[Option<u32>], caps: &[u32], u: usize, f: u32| {
            caps[f as usize] >= p.beds[u] && p.apart[u].iter().all(|&q| at[q as usize] != Some(f))
        };
        let place = |at: &mut Vec<Option<u32>>, caps: &mut Vec<u32>, u: usize, f: u32| {
            at[u] = Some(f);
            caps[f as usize] -= p.beds[u];
        };
        for &(u, f) in &node.fixed {
            if fits(&at, &caps, u as usize, f) {
                place(&mut at, &mut caps, u as usize, f);
            }
        }
        for u in 0..n {
            if let [(Some(f), c)] = node.dist[u][..] {
                if c == p.beds[u] && fits(&at, &caps, u, f) {
                    place(&mut at, &mut caps, u, f);
                }
            }
        }
        let mut rest: Vec<usize> = (0..n)
            .filter(|&u| at[u].is_none() && !p.arcs[u].is_empty())
            .collect();
        let best = |u: usize| p.arcs[u].iter().map(|a| a.1).max().unwrap_or(0);
        rest.sort_by(|&a, &b| best(b).cmp(&best(a)).then(a.cmp(&b)));
        for u in rest {
            // This unit's options, best value first, then lowest facility.
            let arcs = &p.arcs[u];
            let mut order: Vec<usize> = (0..arcs.len()).collect();
            order.sort_by(|&a, &b| arcs[b].1.cmp(&arcs[a].1).then(arcs[a].0.cmp(&arcs[b].0)));
            for i in order {
                let f = arcs[i].0;
                if fits(&at, &caps, u, f) {
                    place(&mut at, &mut caps, u, f);
                    break;
                }
            }
        }
        let value: i128 = at
            .iter()
            .enumerate()
            .filter_map(|(u, f)| f.and_then(|f| self.value_of(u, f)))
            .sum();
        if value > self.best_value {
            self.best_value = value;
            self.best_at = at;
        }
    }

    /// Chooses the branching pair, or `None` when the node's plan is a feasible assignment.
    fn branch_on(&self, node: &Node) -> Option<(u32, u32)> {
        let p = self.p;
        let n = p.beds.len();
        // Keep-apart conflicts: count (unit, facility) involvements.
        let mut counts: Vec<(u32, u32, u32)> = Vec::new(); // (unit, facility, conflicts)
        for a in 0..n {
            for &b in &p.apart[a] {
                let b = b as usize;
                if b <= a {
                    continue;
                }
                for &(fa, _) in &node.dist[a] {
                    let Some(f) = fa else { continue };
                    if node.dist[b].iter().any(|&(fb, _)| fb == Some(f)) {
                        for u in [a, b] {
                            match counts.iter_mut().find(|e| e.0 == u as u32 && e.1 == f) {
                                Some(e) => e.2 += 1,
                                None => counts.push((u as u32, f, 1)),
                            }
                        }
                    }
                }
            }
        }
        if let Some(&(u, f, _)) = counts
            .iter()
            .min_by(|x, y| y.2.cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))))
        {
            return Some((u, f));
        }
        // Split units: the largest, then the lowest index; the facility with most of its tokens.
        let split = (0..n)
            .filter(|&u| node.dist[u].len() > 1)
            .min_by(|&a, &b| p.beds[b].cmp(&p.beds[a]).then(a.cmp(&b)))?;
        node.dist[split]
            .iter()
            .filter_map(|&(f, c)| f.map(|f| (f, c)))
            .min_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)))
            .map(|(f, _)| (split as u32, f))
    }
}

/// Solves the problem; see the module docs for the method and guarantee.
pub(crate) fn solve(p: &Problem, node_limit: u64) -> Result<Outcome, TooLarge> {
    // Scale L = lcm of bed counts, so per-bed values are exact integers; check the largest
    // possible sum fits comfortably.
    let mut l: u128 = 1;
    let mut total_beds: u128 = 0;
    let mut max_value: u128 = 0;
    for (u, &b) in p.beds.iter().enumerate() {
        if p.arcs[u].is_empty() {
            continue;
        }
        let b = u128::from(b.max(1));
        l = (l / gcd(l, b)).checked_mul(b).ok_or(TooLarge)?;
        total_beds += b;
        for &(_, v) in &p.arcs[u] {
            max_value = max_value.max(u128::try_from(v).map_err(|_| TooLarge)?);
        }
    }
    let limit = u128::try_from(i128::MAX / 8).map_err(|_| TooLarge)?;
    let worst = max_value
        .checked_mul(l)
        .and_then(|x| x.checked_mul(total_beds + 1))
        .ok_or(TooLarge)?;
    if worst > limit {
        return Err(TooLarge);
    }
    let scale = i128::try_from(l).map_err(|_| TooLarge)?;

    let mut s = Search {
        p,
        scale,
        best_at: vec![None; p.beds.len()],
        best_value: 0,
        nodes: 0,
    };
    let ub = |bound: i128| bound.div_euclid(scale);

    let root = s.evaluate(Vec::new(), Vec::new());
    let mut stack = vec![root];
    let mut limit_hit = false;
    while let Some(node) = stack.pop() {
        if ub(node.bound) <= s.best_value {
            continue;
        }
        let Some((u, f)) = s.branch_on(&node) else {
            // Feasible relaxed plan: rounding reproduced it, so the incumbent already matches it.
            continue;
        };
        if s.nodes + 2 > node_limit.max(1) {
            stack.push(node);
            limit_hit = true;
            break;
        }
        let mut fixed = node.fixed.clone();
        fixed.push((u, f));
        let mut forbidden = node.forbidden.clone();
        forbidden.push((u, f));
        let a = s.evaluate(fixed, node.forbidden);
        let b = s.evaluate(node.fixed, forbidden);
        let (worse, better) = if b.bound > a.bound { (a, b) } else { (b, a) };
        for child in [worse, better] {
            if ub(child.bound) > s.best_value {
                stack.push(child);
            }
        }
    }
    let upper_bound = if limit_hit {
        stack
            .iter()
            .map(|n| ub(n.bound))
            .fold(s.best_value, i128::max)
    } else {
        s.best_value
    };
    Ok(Outcome {
        at: s.best_at,
        proven: !limit_hit,
        nodes: s.nodes,
        upper_bound,
    })
}
