;;; explain_stream.el --- an explanation streams into the *claif* buffer  -*- lexical-binding: t; -*-

;;; Commentary:
;; The user runs `claif-explain' on `total' while the answer streams slowly; every text the *claif*
;; buffer shows is recorded until the ask ends.

;;; Code:

(require 'harness)

(claiftest-run
 (lambda ()
   (let* ((server (claiftest-open)) (source (current-buffer)) (window (selected-window))
          (versions nil) (headers nil) (focus-kept t))
     (goto-char (point-min))
     (search-forward "def total")
     (beginning-of-line)
     (claif-explain)
     (claiftest-wait "the ask to end"
                     (lambda ()
                       (when-let ((buffer (get-buffer "*claif*")))
                         (let ((text (claiftest-buffer-text buffer)))
                           (unless (equal text (car versions))
                             (push text versions)
                             (push (or (buffer-local-value 'header-line-format buffer) "") headers))))
                       (unless (eq (selected-window) window) (setq focus-kept nil))
                       (null (claif--asks server))))
     (claiftest-put 'versions (vconcat (nreverse versions)))
     (claiftest-put 'headers (vconcat (nreverse headers)))
     (claiftest-put 'focus_kept (claiftest-bool focus-kept))
     (claiftest-put 'answer (claiftest-buffer-text (get-buffer "*claif*")))
     (claiftest-put 'header_after (or (buffer-local-value 'header-line-format (get-buffer "*claif*")) ""))
     (claiftest-put 'answer_read_only (claiftest-bool (buffer-local-value 'buffer-read-only (get-buffer "*claif*"))))
     (claiftest-put 'answer_window (claiftest-bool (get-buffer-window "*claif*")))
     (claiftest-put 'source (claiftest-buffer-text source))
     (claiftest-put 'last_message (car claiftest-messages)))))
;;; explain_stream.el ends here
