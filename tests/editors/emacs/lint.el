;;; lint.el --- byte-compile and checkdoc editors/emacs, failing on any warning  -*- lexical-binding: t; -*-

;;; Commentary:
;; emacs --batch -Q -l lint.el FILE...: prints each warning and exits 1 when there is one.

;;; Code:

(require 'checkdoc)
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path dir))

(defvar lint-problems 0 "Warnings found.")

(setq checkdoc-create-error-function
      (lambda (text start _end &optional _unfixable)
        (setq lint-problems (1+ lint-problems))
        (message "checkdoc: %s:%d: %s" (buffer-file-name) (line-number-at-pos start) text)
        nil))

(dolist (file command-line-args-left)
  (add-to-list 'load-path (file-name-directory (expand-file-name file)))
  (with-current-buffer (find-file-noselect file)
    (let ((checkdoc-autofix-flag 'never) (checkdoc-spellcheck-documentation-flag nil))
      (checkdoc-current-buffer t)))
  (let ((byte-compile-error-on-warn t)
        (byte-compile-dest-file-function (lambda (_) (make-temp-file "claif-lint" nil ".elc"))))
    (unless (byte-compile-file file)
      (setq lint-problems (1+ lint-problems))
      (message "byte-compile: %s failed" file))))

(kill-emacs (if (> lint-problems 0) 1 0))
;;; lint.el ends here
