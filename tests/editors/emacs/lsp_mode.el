;;; lsp_mode.el --- ask, review, accept and reject through lsp-mode instead of eglot  -*- lexical-binding: t; -*-

;;; Commentary:
;; claif-lsp set up with lsp-mode (Debian's elpa-lsp-mode 8.0.0) by the README's lsp-mode block, which
;; CLAIFTEST_EMACS_INIT holds (only the provider and the server command are changed afterwards, as in
;; readme.el), so claif-lsp runs as lsp-mode's add-on client.  The user asks
;; with their own instruction, reviews in *claif review*, accepts the first hunk with `a' there, and
;; rejects the second from lsp-mode's own code actions at its line in the source.  Nothing may ask a
;; question: any y-or-n-p answers no, which would fail.

;;; Code:

(require 'harness)
(require 'claif-lsp-mode)

(defvar claiftest-questions nil "Questions asked with `y-or-n-p' or `yes-or-no-p'.")
(advice-add 'y-or-n-p :override (lambda (prompt) (push prompt claiftest-questions) nil))
(advice-add 'yes-or-no-p :override (lambda (prompt) (push prompt claiftest-questions) nil))

;; A user's lsp-mode set up for one project, with nothing of its own that starts on the side.
(setq claiftest-configure nil
      lsp-session-file (expand-file-name "lsp-session" (getenv "HOME"))
      lsp-auto-guess-root nil
      lsp-restart 'ignore
      lsp-keep-workspace-alive nil
      lsp-enable-file-watchers nil
      lsp-headerline-breadcrumb-enable nil
      lsp-modeline-code-actions-enable nil
      lsp-modeline-diagnostics-enable nil
      lsp-lens-enable nil
      lsp-completion-enable nil
      lsp-enable-snippet nil
      lsp-log-io t)

(defun claiftest-lsp-open ()
  "Visit the workspace file in `python-mode' under lsp-mode, and return claif's connection."
  (find-file claiftest-file)
  (python-mode)
  (lsp-workspace-folders-add (file-name-directory claiftest-file))
  (lsp)
  (claiftest-wait "the server" (lambda () (let ((server (claif--lsp-mode-current-server)))
                                            (and server (eq (lsp--workspace-status (claif--workspace server))
                                                            'initialized)
                                                 server)))))

(defun claiftest-hunk-reject-p (action)
  "Non-nil when the code ACTION lsp-mode got rejects one hunk."
  (let* ((action (claif--lsp-mode-plist action))
         (command (if (stringp (plist-get action :command)) action (plist-get action :command))))
    (and (equal (plist-get command :command) "claif.reject")
         (plist-get (aref (plist-get command :arguments) 0) :hunks))))

(claiftest-run
 (lambda ()
   (load (getenv "CLAIFTEST_EMACS_INIT") nil t)
   (claiftest-put 'readme_provider claif-provider)
   (claiftest-set-options)
   (let* ((server (claiftest-lsp-open)) (source (current-buffer)) (modelines nil))
     (claiftest-put 'server_class (symbol-name (eieio-object-class server)))
     (claiftest-put 'eglot_server (claiftest-bool (eglot-current-server)))
     (claiftest-put 'workspaces (vconcat (mapcar (lambda (ws) (symbol-name (lsp--client-server-id
                                                                            (lsp--workspace-client ws))))
                                                 (lsp-workspaces))))
     (claiftest-put 'key_ask (symbol-name (key-binding (kbd "C-c a a"))))
     (goto-char (point-min))
     (search-forward "s = 0")
     (claif-ask "rename the accumulator")
     (claiftest-put 'running_after_send (length (claif--all-asks)))
     (claiftest-wait "the answer" (lambda ()
                                    (let ((line (format-mode-line mode-line-format nil nil source)))
                                      (when (string-match-p "claif:" line)
                                        (cl-pushnew (substring-no-properties line) modelines :test #'equal)))
                                    (null (claif--asks server)))
                     90)
     (claiftest-put 'modelines (vconcat (nreverse modelines)))
     (let ((review (claiftest-wait "the review buffer" (lambda () (get-buffer "*claif review*")))))
       (claiftest-wait "the review's hunks" (lambda () (claiftest-hunk-shown-p review "p1-h2")))
       (claiftest-put 'review (claiftest-buffer-text review))
       (claiftest-put 'overlays (with-current-buffer source (claiftest-overlays)))
       (with-current-buffer review (goto-char (claiftest-hunk-shown-p review "p1-h1")))
       (let ((before (length claiftest-messages)))
         (claiftest-press "a" review)
         (claiftest-wait "the accept's answer" (lambda () (member "claif: accepted 1 hunk" claiftest-messages)))
         (claiftest-put 'accept_messages (vconcat (claiftest-messages-since before))))
       (claiftest-put 'after_accept (claiftest-buffer-text source))
       (claiftest-wait "the review to follow" (lambda () (not (claiftest-hunk-shown-p review "p1-h1"))))
       (let ((before (length claiftest-messages)))
         (with-current-buffer source
           (goto-char (point-min))
           (search-forward "return \"Hello \"")
           (let ((reject (seq-find #'claiftest-hunk-reject-p (lsp-code-actions-at-point))))
             (unless reject (error "lsp-mode offers no Reject of the hunk"))
             (claiftest-put 'reject_title (plist-get (claif--lsp-mode-plist reject) :title))
             (lsp-execute-code-action reject)))
         (claiftest-wait "the reject's answer" (lambda () (member "claif: rejected 1 hunk" claiftest-messages)))
         (claiftest-put 'reject_messages (vconcat (claiftest-messages-since before))))
       (claiftest-wait "the review to empty" (lambda () (not (claiftest-hunk-shown-p review "p1-h2"))))
       (claiftest-put 'final (claiftest-buffer-text source))
       (claiftest-put 'overlays_final (with-current-buffer source (claiftest-overlays)))
       (claiftest-put 'state_final (claiftest-proposal-state server "p1"))
       (claiftest-put 'questions (vconcat claiftest-questions))
       (lsp-workspace-shutdown (claif--workspace server))))))
;;; lsp_mode.el ends here
