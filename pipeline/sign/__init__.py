"""Digital signatures of Decree 30 (Art. 5, Appendix I II.7.d, II.8): the signer's and the
agency's PAdES signatures on the issued PDFs, their appearances, keys and verification."""
