;;; partial.el --- a partial answer's review lists what could not be placed; w shows the raw answer  -*- lexical-binding: t; -*-

;;; Commentary:
;; The proposal comes as `claif.proposal' describes one (JSON in CLAIFTEST_EMACS_PROPOSAL, checked against
;; the protocol model by the test) and is reviewed as the package reviews any proposal the server sent.

;;; Code:

(require 'harness)

(claiftest-run
 (lambda ()
   (let* ((server (claiftest-open))
          (proposal (json-parse-string (getenv "CLAIFTEST_EMACS_PROPOSAL") :object-type 'plist
                                       :null-object nil :false-object :json-false))
          (before (length claiftest-messages)))
     (claif--update server proposal)
     (claif--review-first server proposal)
     (claiftest-put 'messages_shown (vconcat (claiftest-messages-since before)))
     (let ((review (get-buffer "*claif review*")))
       (claiftest-put 'review (claiftest-buffer-text review))
       (claiftest-put 'hunk_ids (let (ids (pos (with-current-buffer review (point-min))))
                                  (while pos
                                    (when-let ((id (get-text-property pos 'claif-hunk review))) (push id ids))
                                    (setq pos (next-single-property-change pos 'claif-hunk review)))
                                  (vconcat (delete-dups (nreverse ids)))))
       (claiftest-put 'key_w (with-current-buffer review (symbol-name (key-binding "w"))))
       (claiftest-press "w" review)
       (let ((raw (get-buffer "*claif answer p1*")))
         (claiftest-put 'raw (claiftest-buffer-text raw))
         (claiftest-put 'raw_shown (claiftest-bool (get-buffer-window raw)))
         (claiftest-put 'raw_read_only (claiftest-bool (buffer-local-value 'buffer-read-only raw))))))))
;;; partial.el ends here
