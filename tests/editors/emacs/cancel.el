;;; cancel.el --- `claif-cancel' stops a streaming ask: no proposal, the mode line clears  -*- lexical-binding: t; -*-

;;; Commentary:
;; The ask streams slowly; once the mode line shows tokens the user runs `claif-cancel'.

;;; Code:

(require 'harness)

(claiftest-run
 (lambda ()
   (let* ((server (claiftest-open)) (source (current-buffer)))
     (goto-char (point-min))
     (search-forward "s = 0")
     (claif-ask "rename the accumulator")
     (claiftest-put 'modeline_streaming
                    (claiftest-wait "progress in the mode line"
                                    (lambda () (let ((line (substring-no-properties
                                                            (format-mode-line mode-line-format nil nil source))))
                                                 (and (string-match-p "claif: .*tokens" line) line)))))
     (let ((before (length claiftest-messages)))
       (claif-cancel)
       (claiftest-wait "the cancel" (lambda () (null (claif--asks server))))
       (claiftest-wait "the cancel's message" (lambda () (member "claif: ask cancelled" claiftest-messages)))
       (claiftest-put 'cancel_messages (vconcat (claiftest-messages-since before))))
     (claiftest-put 'modeline_after (substring-no-properties (format-mode-line mode-line-format nil nil source)))
     ;; Give a late answer time to show up if the cancel did not stop the stream.
     (let ((until (+ (float-time) 2))) (while (< (float-time) until) (accept-process-output nil 0.1)))
     (claiftest-put 'proposals (hash-table-count (claif--proposals server)))
     (claiftest-put 'review (claiftest-bool (get-buffer "*claif review*")))
     (claiftest-put 'source (claiftest-buffer-text source))
     (claiftest-put 'modified (claiftest-bool (buffer-modified-p source))))))
;;; cancel.el ends here
