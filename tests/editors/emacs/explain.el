;;; explain.el --- an explanation lands in the *claif* buffer, beside the source  -*- lexical-binding: t; -*-

;;; Commentary:
;; The user selects `total' and runs `claif-explain'.

;;; Code:

(require 'harness)

(claiftest-run
 (lambda ()
   (let* ((server (claiftest-open)) (source (current-buffer)) (window (selected-window)))
     (goto-char (point-min))
     (search-forward "def total")
     (beginning-of-line)
     (set-mark (point))
     (forward-line 5)
     (activate-mark)
     (claif-explain)
     (deactivate-mark)
     (let ((answer (claiftest-wait "the *claif* buffer" (lambda () (get-buffer "*claif*")))))
       (claiftest-wait "the answer's message" (lambda () (member "claif: answer in the *claif* buffer" claiftest-messages)))
       (with-current-buffer answer
         (claiftest-put 'answer (claiftest-buffer-text))
         (claiftest-put 'answer_mode (symbol-name major-mode))
         (claiftest-put 'answer_outline (and (bound-and-true-p outline-minor-mode) t))
         (claiftest-put 'answer_read_only (and buffer-read-only t)))
       (claiftest-put 'answer_window (and (get-buffer-window answer) t))
       (claiftest-put 'selected_is_source (and (eq (selected-window) window) (eq (window-buffer window) source)))
       (claiftest-put 'source (claiftest-buffer-text source))
       (claiftest-put 'modified (claiftest-bool (buffer-modified-p source)))
       (claiftest-put 'proposals (hash-table-count (claif--proposals server)))
       (claiftest-put 'last_message (car claiftest-messages))))))
;;; explain.el ends here
