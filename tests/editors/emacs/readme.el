;;; readme.el --- the README's Emacs setup, as written, then `C-c a e' and `C-c a a'  -*- lexical-binding: t; -*-

;;; Commentary:
;; CLAIFTEST_EMACS_INIT holds the README's elisp block with the checkout's path filled in.  Only the
;; provider is changed afterwards (the README picks "anthropic"; the test has no key), then the user
;; runs M-x eglot and the README's keys.

;;; Code:

(require 'harness)

(setq claiftest-configure nil)

(claiftest-run
 (lambda ()
   (load (getenv "CLAIFTEST_EMACS_INIT") nil t)
   (let ((settings (claiftest-settings)))
     (claiftest-put 'readme_provider claif-provider)
     (setq claif-provider (plist-get settings :provider)
           claif-providers (plist-get settings :providers)
           claif-settings (claiftest-other-settings settings)))
   (find-file claiftest-file)
   (python-mode)
   (call-interactively #'eglot)
   (let* ((server (claiftest-wait "the server" (lambda () (let ((server (eglot-current-server)))
                                                            (and server (eglot--capabilities server) server)))))
          (source (current-buffer)))
     (claiftest-put 'server_class (symbol-name (eieio-object-class server)))
     (claiftest-put 'server_command (vconcat (process-command (jsonrpc--process server))))
     (claiftest-put 'keys (vconcat (mapcar (lambda (keys) (list keys (symbol-name (key-binding (kbd keys)))))
                                           '("C-c a a" "C-c a e" "C-c a x" "C-c a f" "C-c a c" "C-c a r" "C-c a y" "C-c a n"
                                             "C-c a R" "C-c a g"))))
     (goto-char (point-min))
     (search-forward "def total")
     (call-interactively (key-binding (kbd "C-c a e")))
     (let ((answer (claiftest-wait "the *claif* buffer" (lambda () (get-buffer "*claif*")))))
       ;; The buffer opens as the answer starts streaming; the message says it is whole.
       (claiftest-wait "the answer's message" (lambda () (member "claif: answer in the *claif* buffer" claiftest-messages)))
       (claiftest-put 'answer (claiftest-buffer-text answer)))
     (search-forward "s = 0")
     (cl-letf (((symbol-function 'read-string) (lambda (&rest _) "rename the accumulator")))
       (call-interactively (key-binding (kbd "C-c a a"))))
     (let ((review (claiftest-wait "the review buffer" (lambda () (get-buffer "*claif review*")))))
       (claiftest-wait "the review's hunks" (lambda () (claiftest-hunk-shown-p review "p1-h2")))
       ;; The first hunk from the source with C-c a y, the rest from the review with A.
       (goto-char (point-min))
       (search-forward "s = 0")
       (claiftest-press "C-c a y" source)
       (claiftest-wait "the source's accept" (lambda () (member "claif: accepted 1 hunk" claiftest-messages)))
       (claiftest-put 'after_one (claiftest-buffer-text source))
       (claiftest-wait "the review to follow" (lambda () (not (claiftest-hunk-shown-p review "p1-h1"))))
       (claiftest-press "A" review)
       (claiftest-wait "accept all" (lambda () (= (length (seq-filter (lambda (m) (equal m "claif: accepted 1 hunk"))
                                                                     claiftest-messages))
                                                  2))))
     (claiftest-put 'final (claiftest-buffer-text source)))))
;;; readme.el ends here
