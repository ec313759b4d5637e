;;; stale.el --- a hunk made stale by typing is refused on accept; accept all takes the rest  -*- lexical-binding: t; -*-

;;; Commentary:
;; After the review opens, the user edits the line the first hunk replaces.  Accepting that hunk must
;; apply nothing and say why; `A' then applies what still fits, and `R' drops the stale hunk.

;;; Code:

(require 'harness)

(claiftest-run
 (lambda ()
   (let* ((server (claiftest-open)) (source (current-buffer)))
     (goto-char (point-min))
     (search-forward "s = 0")
     (claif-ask "tidy up")
     (let ((review (claiftest-wait "the review buffer" (lambda () (get-buffer "*claif review*")))))
       (claiftest-wait "the review's hunks" (lambda () (claiftest-hunk-shown-p review "p1-h2")))
       ;; The user changes the line the first hunk replaces.
       (with-current-buffer source
         (goto-char (point-min))
         (search-forward "s = 0")
         (delete-char -1)
         (insert "1"))
       (claiftest-put 'edited (claiftest-buffer-text source))
       (let ((before (length claiftest-messages)))
         (with-current-buffer review (goto-char (claiftest-hunk-shown-p review "p1-h1")))
         (claiftest-press "a" review)
         (claiftest-wait "the refusal" (lambda () (seq-find (lambda (m) (string-prefix-p "claif: nothing accepted" m))
                                                            claiftest-messages)))
         (claiftest-wait "the review to show it stale"
                         (lambda () (with-current-buffer review
                                      (string-match-p "stale:" (claiftest-buffer-text)))))
         (claiftest-put 'stale_messages (vconcat (claiftest-messages-since before))))
       (claiftest-put 'after_stale (claiftest-buffer-text source))
       (claiftest-put 'review_stale (claiftest-buffer-text review))
       (claiftest-put 'overlays_stale (with-current-buffer source (claiftest-overlays)))
       (let ((before (length claiftest-messages)))
         (claiftest-press "A" review)
         (claiftest-wait "accept all" (lambda () (seq-find (lambda (m) (string-prefix-p "claif: accepted" m))
                                                           claiftest-messages)))
         (claiftest-put 'accept_all_messages (vconcat (claiftest-messages-since before))))
       (claiftest-put 'after_accept_all (claiftest-buffer-text source))
       (claiftest-put 'state_after_accept_all (plist-get (gethash "p1" (claif--proposals server)) :state))
       (let ((before (length claiftest-messages)))
         (claiftest-press "R" review)
         (claiftest-wait "reject all" (lambda () (member "claif: rejected the proposal" claiftest-messages)))
         (claiftest-wait "the review to empty" (lambda () (not (claiftest-hunk-shown-p review "p1-h1"))))
         (claiftest-put 'reject_all_messages (vconcat (claiftest-messages-since before))))
       (claiftest-put 'review_final (claiftest-buffer-text review))
       (claiftest-put 'final (claiftest-buffer-text source))))))
;;; stale.el ends here
