;;; claif-lsp-mode.el --- claif-lsp through lsp-mode  -*- lexical-binding: t; -*-

;; Author: claif-lsp contributors
;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (lsp-mode "8.0.0"))
;; Keywords: tools, convenience, languages

;; This file is not part of GNU Emacs.

;;; Commentary:

;; The lsp-mode side of claif.el's transport.  claif-lsp is registered as
;; an add-on client, so it runs beside the language's own server; claif's
;; requests go to its workspace only, asynchronously; its notifications
;; ($/progress of claif's asks, claif/answer, claif/proposalsChanged) reach
;; claif.el as plists, as eglot hands them over; and claif's commands in
;; lsp-mode's code-action menu run as claif.el runs them (a free
;; instruction for "Ask...", no timeout).  Everything else is claif.el's.
;;
;;   (add-to-list 'load-path "/path/to/claif-lsp/editors/emacs")
;;   (require 'claif-lsp-mode)
;;   (setq claif-provider "anthropic")
;;   (claif-lsp-mode-register)
;;   (define-key lsp-mode-map (kbd "C-c a") claif-command-map)
;;
;; then M-x lsp in a buffer of one of `claif-modes'.

;;; Code:

(require 'claif)
(require 'lsp-mode)

(defclass claif-lsp-mode-server (claif-connection)
  ((workspace :initarg :workspace :reader claif--workspace
              :documentation "The lsp-mode workspace of claif-lsp."))
  :documentation "What claif knows of one lsp-mode workspace of claif-lsp.")

(defvar claif--lsp-mode-servers (make-hash-table :test #'eq :weakness 'key)
  "The claif connection of each lsp-mode workspace of claif-lsp.")

(defun claif--lsp-mode-server (workspace)
  "The claif connection of WORKSPACE, made on first use."
  (or (gethash workspace claif--lsp-mode-servers)
      (puthash workspace (make-instance 'claif-lsp-mode-server :workspace workspace)
               claif--lsp-mode-servers)))

(defun claif--lsp-mode-claif-p (workspace)
  "Non-nil when WORKSPACE is a claif-lsp one."
  (eq (lsp--client-server-id (lsp--workspace-client workspace)) 'claif-lsp))

(defun claif--lsp-mode-current-server ()
  "The claif connection of the lsp-mode workspace of this buffer, or nil."
  (when-let ((workspace (and (bound-and-true-p lsp-mode)
                             (seq-find #'claif--lsp-mode-claif-p (lsp-workspaces)))))
    (claif--lsp-mode-server workspace)))

(defun claif--lsp-mode-servers ()
  "Every claif connection of lsp-mode."
  (hash-table-values claif--lsp-mode-servers))

(defun claif--lsp-mode-plist (value)
  "Convert VALUE from lsp-mode's JSON (hash tables) to eglot's (plists).
Results merged by lsp-mode come as lists rather than vectors."
  (cond ((hash-table-p value)
         (let (plist)
           (maphash (lambda (key item)
                      (setq plist (nconc plist (list (intern (concat ":" key)) (claif--lsp-mode-plist item)))))
                    value)
           plist))
        ((vectorp value) (vconcat (mapcar #'claif--lsp-mode-plist value)))
        ((and (consp value) (not (keywordp (car value)))) (mapcar #'claif--lsp-mode-plist value))
        (t value)))

;;;; The transport

(cl-defmethod claif--request-async ((server claif-lsp-mode-server) method params &key success-fn error-fn)
  "Send METHOD with PARAMS to SERVER's workspace only.
SUCCESS-FN or ERROR-FN get the answer as a plist."
  (let ((lsp--cur-workspace (claif--workspace server)))
    (lsp-request-async method params
                       (lambda (result) (when success-fn (funcall success-fn (claif--lsp-mode-plist result))))
                       ;; Detached: an ask's answer matters even when its buffer changed meanwhile.
                       :mode 'detached
                       :error-handler (lambda (error)
                                        (when error-fn (funcall error-fn (claif--lsp-mode-plist error)))))))

(cl-defmethod claif--request ((server claif-lsp-mode-server) method params)
  "Send METHOD with PARAMS to SERVER's workspace and return its result as a plist."
  (let ((lsp--cur-workspace (claif--workspace server)))
    (claif--lsp-mode-plist (lsp-request method params))))

(cl-defmethod claif--flush-changes ((_server claif-lsp-mode-server))
  "Send the edits lsp-mode has held back."
  (lsp--flush-delayed-changes))

(add-to-list 'claif--current-server-functions #'claif--lsp-mode-current-server t)
(add-to-list 'claif--servers-functions #'claif--lsp-mode-servers t)

;;;; Notifications and commands

(defun claif--lsp-mode-progress (workspace params)
  "Show the progress PARAMS of WORKSPACE's claif ask, else as lsp-mode does."
  (let ((progress (claif--lsp-mode-plist params)))
    (unless (claif--on-progress (claif--lsp-mode-server workspace)
                                (plist-get progress :token) (plist-get progress :value))
      (funcall lsp-progress-function workspace params))))

(defun claif--lsp-mode-answer (workspace params)
  "Show the explanation so far that PARAMS carry from WORKSPACE."
  (let ((answer (claif--lsp-mode-plist params)))
    (claif--on-answer (claif--lsp-mode-server workspace) (plist-get answer :requestId)
                      (plist-get answer :token) (plist-get answer :text) (plist-get answer :done))))

(defun claif--lsp-mode-proposals-changed (workspace params)
  "Refresh the proposals PARAMS name as changed on WORKSPACE."
  (claif--on-proposals-changed (claif--lsp-mode-server workspace)
                               (plist-get (claif--lsp-mode-plist params) :proposals)))

(defun claif--lsp-mode-notification-handlers ()
  "The notifications of claif-lsp that claif.el handles, for `make-lsp-client'."
  (let ((handlers (make-hash-table :test #'equal)))
    (puthash "$/progress" #'claif--lsp-mode-progress handlers)
    (puthash "claif/answer" #'claif--lsp-mode-answer handlers)
    (puthash "claif/proposalsChanged" #'claif--lsp-mode-proposals-changed handlers)
    handlers))

(defconst claif--lsp-mode-commands '("claif.ask" "claif.accept" "claif.reject" "claif.refine" "claif.retry")
  "The commands of code actions that claif.el runs itself.")

(defun claif--lsp-mode-action (action)
  "Run the command of code ACTION (a Command) as claif.el does."
  (let* ((command (claif--lsp-mode-plist action))
         (name (plist-get command :command))
         (arguments (or (plist-get command :arguments) [])))
    (unless (claif--execute (claif--server) name (vconcat arguments))
      (lsp-send-execute-command name arguments))))

(defun claif--lsp-mode-action-handlers ()
  "Handlers of claif's code-action commands, for `make-lsp-client'."
  (let ((handlers (make-hash-table :test #'equal)))
    (dolist (name claif--lsp-mode-commands)
      (puthash name #'claif--lsp-mode-action handlers))
    handlers))

(defun claif--lsp-mode-draw-on-open ()
  "Mark the pending hunks of known proposals in a buffer lsp-mode just opened."
  (when-let ((server (claif--lsp-mode-current-server)))
    (claif--draw-known-proposals server)))

;;;###autoload
(defun claif-lsp-mode-register ()
  "Make lsp-mode start claif-lsp, beside their own server, for `claif-modes'."
  (interactive)
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () (claif--user-value 'claif-server-command)))
    :major-modes claif-modes
    :server-id 'claif-lsp
    :add-on? t
    :priority -1
    :initialization-options (lambda () (claif--initialization-options))
    :notification-handlers (claif--lsp-mode-notification-handlers)
    :action-handlers (claif--lsp-mode-action-handlers)))
  (add-hook 'lsp-after-open-hook #'claif--lsp-mode-draw-on-open))

(provide 'claif-lsp-mode)
;;; claif-lsp-mode.el ends here
