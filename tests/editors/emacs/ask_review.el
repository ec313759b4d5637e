;;; ask_review.el --- a slow ask past 10 s, its progress, the review buffer, accept and reject a hunk  -*- lexical-binding: t; -*-

;;; Commentary:
;; The user selects nothing (the cursor is on `s = 0'), types their own instruction, waits while the mode
;; line shows progress, reviews in *claif review*, moves between hunks, accepts the first with `a' and
;; rejects the second with `r'.  eglot must not ask "Proceed?": any y-or-n-p answers no, which would fail.

;;; Code:

(require 'harness)

(defvar claiftest-questions nil "Questions asked with `y-or-n-p'.")
(advice-add 'y-or-n-p :override (lambda (prompt) (push prompt claiftest-questions) nil))

(claiftest-run
 (lambda ()
   (let* ((server (claiftest-open)) (source (current-buffer)) (modelines nil) ask started)
     (goto-char (point-min))
     (search-forward "s = 0")
     (setq started (float-time))
     (setq ask (claif-ask "rename the accumulator"))
     (claiftest-put (quote running_after_send) (length (claif--asks server)))
     (claiftest-put (quote modeline_string) (claif--mode-line-string))
     (claiftest-put (quote all_asks) (length (claif--all-asks)))
     ;; While the answer streams, look at the mode line as the user does.
     (claiftest-wait "the answer" (lambda ()
                                    (let ((line (format-mode-line mode-line-format nil nil source)))
                                      (when (string-match-p "claif:" line)
                                        (cl-pushnew (substring-no-properties line) modelines :test #'equal)))
                                    (null (claif--asks server)))
                     90)
     (claiftest-put 'ask_seconds (- (float-time) started))
     (claiftest-put 'modelines (vconcat (nreverse modelines)))
     (claiftest-put 'modeline_after (substring-no-properties (format-mode-line mode-line-format nil nil source)))
     (claiftest-put 'ask_id (plist-get ask :id))
     (let ((review (claiftest-wait "the review buffer" (lambda () (get-buffer "*claif review*")))))
       (claiftest-wait "the review's hunks" (lambda () (claiftest-hunk-shown-p review "p1-h2")))
       (with-current-buffer review
         (claiftest-put 'review_mode (symbol-name major-mode))
         (claiftest-put 'review_is_diff (derived-mode-p 'diff-mode))
         (claiftest-put 'review_header (substring-no-properties (format-mode-line header-line-format)))
         (claiftest-put 'review (claiftest-buffer-text))
         (claiftest-put 'review_shown (and (get-buffer-window review) t))
         (claiftest-put 'point_hunk (get-text-property (point) 'claif-hunk))
         (claiftest-press "n" review)
         (claiftest-put 'after_n (get-text-property (point) 'claif-hunk))
         (claiftest-put 'after_n_line (buffer-substring-no-properties (line-beginning-position) (line-end-position)))
         (claiftest-press "p" review)
         (claiftest-put 'after_p (get-text-property (point) 'claif-hunk)))
       (claiftest-put 'overlays (with-current-buffer source (claiftest-overlays)))
       (let ((before (length claiftest-messages)))
         (claiftest-press "a" review)
         (claiftest-wait "the accepted hunk" (lambda () (with-current-buffer source
                                                          (save-excursion (goto-char (point-min))
                                                                          (search-forward "result = 0" nil t)))))
         (claiftest-wait "the accept's answer" (lambda () (member "claif: accepted 1 hunk" claiftest-messages)))
         (claiftest-put 'accept_messages (vconcat (claiftest-messages-since before))))
       (claiftest-put 'after_accept (claiftest-buffer-text source))
       (claiftest-put 'modified_after_accept (claiftest-bool (buffer-modified-p source)))
       (claiftest-wait "the review to follow" (lambda () (not (claiftest-hunk-shown-p review "p1-h1"))))
       (claiftest-put 'review_after_accept (claiftest-buffer-text review))
       (claiftest-put 'overlays_after_accept (with-current-buffer source (claiftest-overlays)))
       (let ((before (length claiftest-messages)))
         (with-current-buffer review (goto-char (claiftest-hunk-shown-p review "p1-h2")))
         (claiftest-press "r" review)
         (claiftest-wait "the reject's answer" (lambda () (member "claif: rejected 1 hunk" claiftest-messages)))
         (claiftest-put 'reject_messages (vconcat (claiftest-messages-since before))))
       (claiftest-wait "the review to empty" (lambda () (not (claiftest-hunk-shown-p review "p1-h2"))))
       (claiftest-put 'review_final (claiftest-buffer-text review))
       (claiftest-put 'final (claiftest-buffer-text source))
       (claiftest-put 'overlays_final (with-current-buffer source (claiftest-overlays)))
       (claiftest-put 'state_final (claiftest-proposal-state server "p1"))
       (claiftest-put 'questions (vconcat claiftest-questions))))))
;;; ask_review.el ends here
