//! Identifier normalisation and the organised-crime picture (clusters).
