;;; fix.el --- `claif-fix' sends the Flymake diagnostic at point with a fix request  -*- lexical-binding: t; -*-

;;; Commentary:
;; claif-lsp publishes no diagnostics and eglot 1.9 runs one server per buffer, so the diagnostic comes
;; from another Flymake backend (here a tiny one flagging `s = 0').  The transcript answers only when
;; the diagnostic's message reached the prompt.

;;; Code:

(require 'harness)

(defun claiftest-flymake-backend (report-fn &rest _)
  "Report one error on the `s = 0' line through REPORT-FN."
  (save-excursion
    (goto-char (point-min))
    (search-forward "s = 0")
    (funcall report-fn (list (flymake-make-diagnostic (current-buffer) (line-beginning-position) (line-end-position)
                                                      :error "accumulator shadows nothing: call it total")))))

(claiftest-run
 (lambda ()
   (let* ((server (claiftest-open)))
     (add-hook 'flymake-diagnostic-functions #'claiftest-flymake-backend nil t)
     (flymake-start)
     (goto-char (point-min))
     (search-forward "s = 0")
     (goto-char (match-beginning 0))
     (claiftest-wait "the diagnostic" (lambda () (flymake-diagnostics (point))))
     (claif-fix)
     (let ((review (claiftest-wait "the review buffer" (lambda () (get-buffer "*claif review*")))))
       (claiftest-wait "the review's hunks" (lambda () (claiftest-hunk-shown-p review "p1-h2")))
       (claiftest-put 'review (claiftest-buffer-text review)))
     (claiftest-put 'action (plist-get (gethash "p1" (claif--proposals server)) :action)))))
;;; fix.el ends here
