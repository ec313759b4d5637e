;;; refine.el --- accept one hunk, refine the rest with feedback, then retry  -*- lexical-binding: t; -*-

;;; Commentary:
;; The user asks, accepts the first hunk with `a' in *claif review*, presses `f' there and types feedback in
;; the minibuffer: the refine runs asynchronously (its progress in the mode line), and the review follows
;; the proposal's second revision.  `t' then asks the question again: the third revision.

;;; Code:

(require 'harness)

(defvar claiftest-questions nil "Questions asked with `y-or-n-p'.")
(advice-add 'y-or-n-p :override (lambda (prompt) (push prompt claiftest-questions) nil))

(defvar claiftest-prompts nil "Minibuffer prompts shown by `read-string', newest first.")

(defun claiftest-revision-shown-p (review revision)
  "Non-nil once the REVIEW buffer shows REVISION of proposal p1."
  (string-match-p (format "^claif proposal p1: .*, revision %d)$" revision)
                  (with-current-buffer review
                    (save-excursion (goto-char (point-min))
                                    (buffer-substring-no-properties (point) (line-end-position))))))

(claiftest-run
 (lambda ()
   (let* ((server (claiftest-open)) (source (current-buffer)) (modelines nil))
     (goto-char (point-min))
     (search-forward "s = 0")
     (claif-ask "rename the accumulator")
     (let ((review (claiftest-wait "the review buffer" (lambda () (get-buffer "*claif review*")))))
       (claiftest-wait "the review's hunks" (lambda () (claiftest-hunk-shown-p review "p1-h2")))
       (with-current-buffer review (goto-char (claiftest-hunk-shown-p review "p1-h1")))
       (claiftest-press "a" review)
       (claiftest-wait "the accept's answer" (lambda () (member "claif: accepted 1 hunk" claiftest-messages)))
       (claiftest-wait "the review to follow" (lambda () (not (claiftest-hunk-shown-p review "p1-h1"))))
       (with-current-buffer review (goto-char (claiftest-hunk-shown-p review "p1-h2")))
       (let ((before (length claiftest-messages)))
         (cl-letf (((symbol-function 'read-string)
                    (lambda (prompt &rest _) (push prompt claiftest-prompts) "keep the plain concatenation, add a comma")))
           (claiftest-press "f" review))
         (claiftest-put 'running_after_refine (length (claif--asks server)))
         (claiftest-wait "the second revision"
                         (lambda ()
                           (let ((line (format-mode-line mode-line-format nil nil source)))
                             (when (string-match-p "claif:" line)
                               (cl-pushnew (substring-no-properties line) modelines :test #'equal)))
                           (and (null (claif--asks server)) (claiftest-revision-shown-p review 2))))
         (claiftest-put 'refine_messages (vconcat (claiftest-messages-since before))))
       (claiftest-put 'prompts (vconcat (reverse claiftest-prompts)))
       (claiftest-put 'modelines (vconcat (nreverse modelines)))
       (claiftest-put 'review_refined (claiftest-buffer-text review))
       (claiftest-put 'source_refined (claiftest-buffer-text source))
       (claiftest-put 'overlays_refined (with-current-buffer source (claiftest-overlays)))
       (claiftest-put 'review_shown (claiftest-bool (get-buffer-window review)))
       (claiftest-press "t" review)
       (claiftest-wait "the third revision"
                       (lambda () (and (null (claif--asks server)) (claiftest-revision-shown-p review 3))))
       (claiftest-put 'review_retried (claiftest-buffer-text review))
       (claiftest-put 'state_retried (claiftest-proposal-state server "p1"))
       (with-current-buffer review (goto-char (point-min)) (claif-review-next-hunk))
       (claiftest-press "A" review)
       (claiftest-wait "accept all" (lambda () (not (claiftest-hunk-shown-p review "p1-h5"))))
       (claiftest-put 'final (claiftest-buffer-text source))
       (claiftest-put 'questions (vconcat claiftest-questions))))))
;;; refine.el ends here
