;;; claif.el --- LLM asks, reviews and explanations through claif-lsp in eglot or lsp-mode  -*- lexical-binding: t; -*-

;; Author: claif-lsp contributors
;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9") (jsonrpc "1.0.14"))
;; Keywords: tools, convenience, languages

;; This file is not part of GNU Emacs.

;;; Commentary:

;; claif-lsp is a language server that puts a language model one code
;; action away.  eglot talks to it as it is, but its `eglot-execute-command'
;; gives up after 10 s, "Ask..." can only pick a canned instruction, eglot
;; has no code lenses, and every accept asks twice.  This package adds:
;;
;; - `claif-ask' with your own instruction, on the region or the current
;;   line, sent asynchronously with its progress in the mode line;
;;   `claif-explain', `claif-action' (every action the server offers) and
;;   `claif-cancel';
;; - a review buffer, *claif review*, in `diff-mode', where you accept or
;;   reject the hunk at point or the whole proposal, and overlays on the
;;   pending hunks in the source;
;; - explanations in a *claif* buffer (`markdown-mode' when installed),
;;   streaming in as the model writes them;
;; - `claif-refine' (your feedback on the proposal at point, answered as its
;;   next revision) and `claif-retry' (the same ask again, past the cache);
;;   a partial answer's review lists what could not be placed, and `w'
;;   there shows the model's raw answer.
;;
;; The package talks to the server through a small transport (requests,
;; notifications, the current server) with an eglot side here and an
;; lsp-mode side in claif-lsp-mode.el; everything above it is shared.
;;
;; Setup (see the README's "Emacs" section):
;;
;;   (add-to-list 'load-path "/path/to/claif-lsp/editors/emacs")
;;   (require 'claif)
;;   (setq claif-provider "anthropic")
;;   (claif-eglot-register)
;;   (define-key eglot-mode-map (kbd "C-c a") claif-command-map)
;;
;; or, with lsp-mode, (require 'claif-lsp-mode) and (claif-lsp-mode-register)
;; instead of `claif-eglot-register'.
;;
;; Settings that run programs, choose a secret or a server, or write files
;; (`claif-server-command', `claif-providers', `claif-record',
;; `claif-approval', `claif-settings') are taken from your init file only:
;; a value a repository's .dir-locals.el sets is ignored, with a message.

;;; Code:

(require 'cl-lib)
(require 'seq)
(require 'subr-x)
(require 'jsonrpc)
(require 'eglot)
(require 'diff-mode)

;;;; Settings

(defgroup claif nil
  "LLM asks, reviews and explanations through the claif-lsp server."
  :group 'tools
  :prefix "claif-")

(defcustom claif-server-command '("claif-lsp")
  "The command line that starts the claif-lsp server on stdio.
With the server in its own environment this can be the environment's
Python: (\"/home/me/.venvs/claif/bin/python\" \"-m\" \"claif_lsp\")."
  :type '(repeat string))

(defcustom claif-provider nil
  "The provider claif asks: a provider name such as \"anthropic\", or nil.
nil leaves the choice to the server's settings (\"auto\" by default)."
  :type '(choice (const :tag "The server's setting" nil) string))
(put 'claif-provider 'safe-local-variable #'stringp)

(defcustom claif-providers nil
  "Per-provider settings, a plist keyed by provider name.
For example (:openai (:baseUrl \"http://localhost:11434/v1\")
:anthropic (:apiKeyCommand [\"pass\" \"show\" \"anthropic\"])).
Sent as initializationOptions, the one source the server trusts with
the keys that run programs or choose where code is sent."
  :type '(plist :key-type symbol :value-type sexp))

(defcustom claif-record nil
  "Write every provider exchange to this JSONL file, or nil for none."
  :type '(choice (const :tag "Off" nil) file))

(defcustom claif-approval nil
  "How answers are applied: nil (the server's setting), or a string.
\"review\" keeps proposals until you accept them; \"confirm\" sends them
at once for eglot to confirm; \"auto\" applies them unreviewed."
  :type '(choice (const :tag "The server's setting" nil)
                 (const "review") (const "confirm") (const "auto")))

(defcustom claif-settings nil
  "Any other claif-lsp settings, as a plist: (:cache (:enabled :json-false)).
The README's settings table lists them.  \"preview\" defaults to
\"none\" here: this package draws the review itself."
  :type '(plist :key-type symbol :value-type sexp))

(defcustom claif-modes
  '(python-mode python-ts-mode js-mode js-ts-mode typescript-mode typescript-ts-mode
    c-mode c-ts-mode c++-mode c++-ts-mode go-mode go-ts-mode rust-mode rust-ts-mode
    java-mode java-ts-mode ruby-mode ruby-ts-mode sh-mode bash-ts-mode)
  "Major modes whose buffers `claif-eglot-register' hands to claif-lsp."
  :type '(repeat symbol))

(defcustom claif-explain-display-action '(display-buffer-in-side-window (side . right))
  "How `display-buffer' shows the *claif* explanation buffer."
  :type 'sexp)

(put 'claif-explain-display-action 'risky-local-variable t) ; display actions can name functions

(defconst claif--user-only
  '((claif-server-command . "it runs a program")
    (claif-providers . "it can run programs and choose the server your code and keys go to")
    (claif-record . "it writes a file wherever it points")
    (claif-approval . "it can apply edits without your review")
    (claif-settings . "it is sent as initializationOptions, which the server trusts with everything"))
  "Settings taken from the user's init file only, each with why.")

(dolist (entry claif--user-only)
  (put (car entry) 'risky-local-variable t)
  (put (car entry) 'safe-local-variable nil))

(defun claif--user-value (symbol)
  "The value of SYMBOL from the user's init file.
A buffer-local value (set by .dir-locals.el or a file's local variables)
is ignored with a message, since a repository can set those."
  (let ((global (default-value symbol)))
    (when (and (local-variable-p symbol)
               (not (equal (buffer-local-value symbol (current-buffer)) global)))
      (message "claif: ignored %s from the local variables of this directory (.dir-locals.el): %s; set it in your init file"
               symbol (alist-get symbol claif--user-only)))
    global))

(defun claif--initialization-options (&optional _server)
  "The initializationOptions claif-lsp gets: the user's settings."
  (let ((options (copy-sequence (claif--user-value 'claif-settings)))
        (providers (claif--user-value 'claif-providers))
        (record (claif--user-value 'claif-record))
        (approval (claif--user-value 'claif-approval)))
    (unless (plist-member options :preview)
      (setq options (plist-put options :preview "none")))
    (when claif-provider (setq options (plist-put options :provider claif-provider)))
    (when providers (setq options (plist-put options :providers providers)))
    (when record (setq options (plist-put options :record (expand-file-name record))))
    (when approval (setq options (plist-put options :approval approval)))
    options))

;;;; Helpers

(defun claif--keep (function sequence)
  "The non-nil results of FUNCTION on the elements of SEQUENCE."
  (delq nil (seq-map function sequence)))

;;;; What claif knows of a server, and the transport to it

(defclass claif-connection ()
  ((asks :initform nil :accessor claif--asks
         :documentation "The asks running, newest first (plists).")
   (proposals :initform (make-hash-table :test #'equal) :accessor claif--proposals
              :documentation "Proposals by id, as `claif.proposal' last described them.")
   (order :initform nil :accessor claif--order
          :documentation "Proposal ids, newest first.")
   (accepting :initform nil :accessor claif--accepting
              :documentation "Labels of the edits claif's own accepts are waiting for."))
  :documentation "What claif knows of one claif-lsp server, whichever client talks to it.")

(cl-defgeneric claif--request-async (server method params &key success-fn error-fn)
  "Send the request METHOD (a string) with PARAMS to SERVER, with no timeout.
SUCCESS-FN gets the result, ERROR-FN the error, both as plists.")

(cl-defgeneric claif--request (server method params)
  "Send the request METHOD with PARAMS to SERVER and return its result, a plist.")

(cl-defgeneric claif--flush-changes (server)
  "Send SERVER the edits of its buffers not sent yet.
Clients send them when idle; an accept from the review buffer must not
reach the server before the typing it is judged against.")

(defvar claif--current-server-functions (list #'claif--eglot-current-server)
  "Functions returning the claif connection of the current buffer, or nil.
The first non-nil answer wins; claif-lsp-mode.el adds lsp-mode's.")

(defvar claif--servers-functions (list #'claif--eglot-servers)
  "Functions returning every live claif connection of one client.")

;;;; The eglot side

(defclass claif-eglot-server (eglot-lsp-server claif-connection) ()
  :documentation "An eglot connection to claif-lsp.")

;;;###autoload
(defun claif-eglot-contact (&optional _interactive)
  "The eglot contact for claif-lsp: its class, command line and options."
  `(claif-eglot-server ,@(claif--user-value 'claif-server-command)
                       :initializationOptions claif--initialization-options))

;;;###autoload
(defun claif-eglot-register ()
  "Make eglot start claif-lsp for the buffers of `claif-modes'."
  (interactive)
  (require 'eglot)
  (setq eglot-server-programs
        (cons (cons claif-modes #'claif-eglot-contact)
              (seq-remove (lambda (entry) (eq (cdr entry) #'claif-eglot-contact))
                          eglot-server-programs))))

(defun claif--eglot-current-server ()
  "The eglot connection to claif-lsp managing this buffer, or nil."
  (let ((server (and (fboundp 'eglot-current-server) (eglot-current-server))))
    (and (cl-typep server 'claif-eglot-server) server)))

(defun claif--eglot-servers ()
  "Every eglot connection to claif-lsp."
  (seq-filter (lambda (server) (cl-typep server 'claif-eglot-server))
              (seq-uniq (apply #'append (hash-table-values eglot--servers-by-project)))))

(defun claif--method-keyword (method)
  "METHOD, a string, as the keyword jsonrpc.el names methods by."
  (intern (concat ":" method)))

(cl-defmethod claif--request-async ((server claif-eglot-server) method params &key success-fn error-fn)
  "Send METHOD with PARAMS to the eglot SERVER.
SUCCESS-FN or ERROR-FN get the answer."
  (jsonrpc-async-request server (claif--method-keyword method) params
                         :timeout nil :success-fn success-fn :error-fn error-fn))

(cl-defmethod claif--request ((server claif-eglot-server) method params)
  "Send METHOD with PARAMS to the eglot SERVER and return its result."
  (jsonrpc-request server (claif--method-keyword method) params))

(cl-defmethod claif--flush-changes ((server claif-eglot-server))
  "Send the eglot SERVER the edits eglot has not sent yet."
  (dolist (buffer (eglot--managed-buffers server))
    (with-current-buffer buffer (eglot--signal-textDocument/didChange))))

;;;; The transport, whichever the client

(defun claif--server ()
  "The claif-lsp connection managing this buffer, or a `user-error'."
  (or (run-hook-with-args-until-success 'claif--current-server-functions)
      (user-error "No claif-lsp server manages this buffer (M-x eglot or M-x lsp after registering claif)")))

(defun claif--command (server command argument &rest callbacks)
  "Run COMMAND with ARGUMENT on SERVER asynchronously, with no timeout.
CALLBACKS are the keys of `claif--request-async' (:success-fn, :error-fn)."
  (claif--flush-changes server)
  (apply #'claif--request-async server "workspace/executeCommand"
         `(:command ,command :arguments [,argument])
         callbacks))

(defun claif--error-fn (what)
  "An :error-fn that reports the failure of WHAT in the echo area."
  (lambda (error)
    (message "claif: %s failed: %s" what (plist-get error :message))))

;;;; Progress in the mode line

(defvar claif--mode-line '(:eval (claif--mode-line-string))
  "The mode-line construct showing running asks.")
(put 'claif--mode-line 'risky-local-variable t)

;; A list starting with a string: one starting with a symbol would be a conditional.
(add-to-list 'mode-line-misc-info '("" claif--mode-line))

(defun claif--all-asks ()
  "Every running ask of every claif server, newest first."
  (seq-mapcat #'claif--asks (seq-mapcat #'funcall claif--servers-functions)))

(defun claif--mode-line-string ()
  "The mode line's text about running asks, empty without any."
  (let ((asks (claif--all-asks)))
    (if (null asks) ""
      (let ((ask (car asks)))
        (concat " claif: " (claif--ask-label ask)
                (if-let ((status (plist-get ask :status))) (concat " · " status) "")
                (if (cdr asks) (format " (+%d)" (length (cdr asks))) "")
                " ")))))

(defun claif--ask-label (ask)
  "How messages and the mode line name ASK: its provider and its title."
  (let ((title (truncate-string-to-width (plist-get ask :title) 40 nil nil "…")))
    (if-let ((provider (plist-get ask :provider))) (concat provider ": " title) title)))

(defun claif--ask-by-token (server token)
  "The running ask of SERVER whose progress token is TOKEN."
  (seq-find (lambda (ask) (equal (plist-get ask :token) token)) (claif--asks server)))

(cl-defmethod eglot-handle-notification
  ((server claif-eglot-server) (_method (eql $/progress)) &key token value)
  "Show the progress VALUE of the ask whose token is TOKEN on SERVER."
  (claif--on-progress server token value))

(defun claif--on-progress (server token value)
  "Show the progress VALUE of SERVER's ask whose token is TOKEN; nil if none."
  (when-let ((ask (claif--ask-by-token server token)))
    (let ((kind (plist-get value :kind)) (text (plist-get value :message)))
      (pcase kind
        ;; "Replay: ask": keep the provider, and the user's own words rather than the action's name.
        ("begin" (when text (plist-put ask :provider (car (split-string text ": ")))))
        ("report" (when text
                    ;; "≈12 tokens · 3.1 s · <last streamed line>": the line is raw model output.
                    (plist-put ask :status (string-join (seq-take (split-string text " · ") 2) " · "))))
        ("end" (plist-put ask :status text)))
      (force-mode-line-update t)
      t)))

;;;; Asking

(defvar claif--counter 0 "Numbers the asks of this Emacs session.")

(defvar claif-ask-history nil "Instructions given to `claif-ask', newest first.")

(defun claif--range ()
  "The LSP range of the region, or of the current line."
  (if (use-region-p)
      (list :start (eglot--pos-to-lsp-position (region-beginning))
            :end (eglot--pos-to-lsp-position (region-end)))
    (list :start (eglot--pos-to-lsp-position (line-beginning-position))
          :end (eglot--pos-to-lsp-position (line-end-position)))))

(defun claif--send-ask (argument title &optional server command)
  "Send COMMAND with ARGUMENT (a plist) asynchronously; TITLE names it.
COMMAND is \"claif.ask\" by default, or \"claif.refine\" or
\"claif.retry\", which answer as an ask does.  SERVER defaults to the
buffer's.  The ask gets a request id and a progress token, so
`claif-cancel' can stop it and its progress shows in the mode line."
  (let* ((server (or server (claif--server)))
         (command (or command "claif.ask"))
         (id (format "emacs-%d-%d" (emacs-pid) (cl-incf claif--counter)))
         (token (concat "claif-" id))
         (ask (list :id id :token token :title title :status "starting"
                    :buffer (current-buffer) :action (plist-get argument :action))))
    (push ask (claif--asks server))
    (force-mode-line-update t)
    (claif--flush-changes server)
    (claif--request-async
     server "workspace/executeCommand"
     `(:command ,command :arguments [,(append argument (list :requestId id))] :workDoneToken ,token)
     :success-fn (lambda (result) (claif--ask-finished server ask result))
     :error-fn (lambda (error) (claif--ask-failed server ask error)))
    (message "claif: %s (%s)... C-g does not stop it; M-x claif-cancel does"
             (pcase command ("claif.refine" "refining") ("claif.retry" "asking again") (_ "asking")) title)
    ask))

(defun claif--forget-ask (server ask)
  "Drop ASK from SERVER's running asks."
  (setf (claif--asks server) (delq ask (claif--asks server)))
  (force-mode-line-update t))

(defun claif--ask-failed (server ask error)
  "Report the ERROR that ended ASK on SERVER."
  (claif--forget-ask server ask)
  (if (eql (plist-get error :code) -32800)
      (message "claif: ask cancelled")
    (message "claif: %s" (plist-get error :message))))

(defun claif--ask-finished (server ask result)
  "Show the RESULT of ASK on SERVER: an answer, proposals, or why not."
  (claif--forget-ask server ask)
  (let ((proposals (append (plist-get result :proposals) nil))
        (errors (append (plist-get result :errors) nil))
        (answer (plist-get result :answer)))
    (cond ((eq (plist-get result :cancelled) t) (message "claif: ask cancelled"))
          (answer (claif--show-answer answer ask))
          (proposals
           (dolist (id proposals)
             (claif--fetch-proposal server id (and (equal id (car proposals)) #'claif--review-first))))
          (errors (message "claif: %s" (string-join errors "; ")))
          (t (message "claif: the answer proposed no change")))))

;;;###autoload
(defun claif-ask (instruction)
  "Ask the model to apply INSTRUCTION to the region or the current line.
The answer becomes a proposal, reviewed in the *claif review* buffer."
  (interactive (list (read-string "claif ask: " nil 'claif-ask-history)))
  (when (string-blank-p instruction) (user-error "An instruction is needed"))
  (claif--send-ask (list :uri (eglot--path-to-uri (buffer-file-name)) :range (claif--range)
                         :action "ask" :instruction instruction)
                   instruction))

(defun claif--run-action (action)
  "Run the built-in ACTION (\"explain\", \"refactor\", ...) on the region or line."
  (claif--send-ask (list :uri (eglot--path-to-uri (buffer-file-name)) :range (claif--range) :action action)
                   action))

;;;###autoload
(defun claif-explain ()
  "Explain the region or the current line in the *claif* buffer."
  (interactive)
  (claif--run-action "explain"))

;;;###autoload
(defun claif-refactor ()
  "Ask for a refactoring of the region or the current line."
  (interactive)
  (claif--run-action "refactor"))

;;;###autoload
(defun claif-docstrings ()
  "Ask for docstrings for the region or the current line."
  (interactive)
  (claif--run-action "docstrings"))

;;;###autoload
(defun claif-tests ()
  "Ask for unit test code covering the region or the current line."
  (interactive)
  (claif--run-action "tests"))

;;;###autoload
(defun claif--lsp-diagnostic (diagnostic)
  "The Flymake DIAGNOSTIC as an LSP diagnostic.
eglot keeps the server's own; any other Flymake backend's is converted."
  (or (cdr (assq 'eglot-lsp-diag (flymake-diagnostic-data diagnostic)))
      (list :range (list :start (eglot--pos-to-lsp-position (flymake-diagnostic-beg diagnostic))
                         :end (eglot--pos-to-lsp-position (flymake-diagnostic-end diagnostic)))
            :message (flymake-diagnostic-text diagnostic)
            :severity (pcase (flymake-diagnostic-type diagnostic)
                        ((or :error 'eglot-error) 1) ((or :warning 'eglot-warning) 2) (_ 3))
            :source (format "%s" (flymake-diagnostic-backend diagnostic)))))

(defun claif-fix ()
  "Ask for a fix of the diagnostic at point (from any Flymake backend)."
  (interactive)
  (let ((diagnostic (seq-some #'claif--lsp-diagnostic (flymake-diagnostics (point)))))
    (unless diagnostic (user-error "No diagnostic at point"))
    (claif--send-ask (list :uri (eglot--path-to-uri (buffer-file-name)) :range (plist-get diagnostic :range)
                           :action "fix" :diagnostic diagnostic)
                     (concat "fix: " (plist-get diagnostic :message)))))

(defun claif--ask-commands (actions)
  "The `claif.ask' commands among code ACTIONS, as (TITLE . ARGUMENT)."
  (claif--keep (lambda (action)
              (let ((command (if (stringp (plist-get action :command)) action (plist-get action :command))))
                (when (equal (plist-get command :command) "claif.ask")
                  (cons (plist-get action :title) (aref (plist-get command :arguments) 0)))))
            actions))

;;;###autoload
(defun claif-action ()
  "Pick one of the actions claif-lsp has here (yours included), and run it."
  (interactive)
  (let* ((server (claif--server))
         (range (claif--range))
         (actions (claif--request server "textDocument/codeAction"
                                  `(:textDocument ,(eglot--TextDocumentIdentifier) :range ,range
                                     :context (:diagnostics [] :triggerKind 1))))
         (choices (claif--ask-commands actions))
         (title (completing-read "claif action: " choices nil t))
         (argument (copy-sequence (cdr (assoc title choices)))))
    (claif--send-ask (claif--with-instruction argument) title)))

(defun claif--with-instruction (argument)
  "ARGUMENT of `claif.ask', with an instruction read from the user if it needs one."
  (if (and (equal (plist-get argument :action) "ask") (not (plist-get argument :instruction)))
      (plist-put argument :instruction (read-string "claif ask: " nil 'claif-ask-history))
    argument))

;;;###autoload
(defun claif-cancel ()
  "Cancel every running ask of this buffer's claif-lsp server."
  (interactive)
  (let* ((server (claif--server)) (asks (claif--asks server)))
    (if (null asks)
        (message "claif: nothing to cancel")
      (dolist (ask asks)
        (claif--command server "claif.cancel" (list :request (plist-get ask :id))
                        :success-fn (lambda (_) nil)
                        :error-fn (claif--error-fn "cancel")))
      (message "claif: cancelling %d ask%s" (length asks) (if (cdr asks) "s" "")))))

;;;; Explanations

(declare-function markdown-mode "markdown-mode" ())

(defun claif--answer-heading (ask)
  "The heading of the *claif* buffer for ASK."
  (format "# claif: %s (%s)\n\n" (claif--ask-label ask)
          (let ((source (plist-get ask :buffer)))
            (if (buffer-live-p source) (buffer-name source) "closed buffer"))))

(defvar-local claif--answer-of nil "The ask whose answer the *claif* buffer shows.")
(put 'claif--answer-of 'permanent-local t) ; kept when the mode is set

(defun claif--fill-answer (answer ask streaming)
  "Fill the *claif* buffer with ANSWER to ASK and return it.
While STREAMING, a header line says so and a window showing the buffer
without the focus follows its end; else point goes to the start."
  (let ((buffer (get-buffer-create "*claif*")))
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (unless (eq claif--answer-of ask)
          ;; A new answer: set the mode once, not at every streamed update.
          (setq claif--answer-of ask)
          (if (require 'markdown-mode nil t)
              (markdown-mode)
            (text-mode)
            (setq-local outline-regexp "#+ ")
            (outline-minor-mode 1)))
        (erase-buffer)
        (insert (claif--answer-heading ask) answer)
        (unless (bolp) (insert "\n"))
        (setq header-line-format (and streaming "claif: the answer is streaming… (M-x claif-cancel stops it)"))
        (if streaming
            (dolist (window (get-buffer-window-list buffer nil t))
              (unless (eq window (selected-window)) (set-window-point window (point-max))))
          (goto-char (point-min))
          (dolist (window (get-buffer-window-list buffer nil t)) (set-window-point window (point-min))))
        (view-mode 1)))
    buffer))

(defun claif--show-answer (answer ask)
  "Show ANSWER to ASK in the *claif* buffer, without selecting it."
  (display-buffer (claif--fill-answer answer ask nil) claif-explain-display-action)
  (message "claif: answer in the *claif* buffer"))

(defun claif--ask-by-id (server id)
  "The running ask of SERVER whose request id is ID."
  (seq-find (lambda (ask) (equal (plist-get ask :id) id)) (claif--asks server)))

(cl-defmethod eglot-handle-notification
  ((server claif-eglot-server) (_method (eql claif/answer)) &key requestId token text done)
  "Show SERVER's TEXT of an explanation so far.
REQUESTID, TOKEN and DONE are as in `claif--on-answer'."
  (claif--on-answer server requestId token text done))

(defun claif--on-answer (server request-id token text done)
  "Show the TEXT of an explanation so far in the *claif* buffer.
REQUEST-ID or TOKEN name the ask on SERVER; DONE marks the last update,
after which the ask's own result shows the whole answer."
  (when-let ((ask (or (and request-id (claif--ask-by-id server request-id))
                      (and token (claif--ask-by-token server token)))))
    (let ((buffer (claif--fill-answer text ask (not (eq done t)))))
      (unless (get-buffer-window buffer t)
        (display-buffer buffer claif-explain-display-action)))))

;;;; Proposals: fetching and overlays in the source

(defface claif-pending-hunk '((t :inherit diff-changed :extend t))
  "Face of the lines a pending hunk would change.")

(defface claif-hunk-label '((t :inherit shadow :slant italic))
  "Face of the label above a pending hunk.")

(defconst claif--open-states '("pending" "applying" "stale")
  "Hunk states still shown in the review.")

(defun claif--hunks (proposal &optional states)
  "The hunks of PROPOSAL, each with its file's :path; only STATES if given."
  (seq-mapcat (lambda (file)
                (claif--keep (lambda (hunk)
                               (when (or (null states) (member (plist-get hunk :state) states))
                                 (append hunk (list :path (plist-get file :path)))))
                             (plist-get file :hunks)))
              (plist-get proposal :files)))

(defun claif--fetch-proposal (server id &optional then)
  "Fetch proposal ID from SERVER, store it, redraw; then call THEN with it."
  (claif--command server "claif.proposal" (list :proposal id)
                  :success-fn (lambda (proposal) (claif--update server proposal)
                                (when then (funcall then server proposal)))
                  :error-fn (claif--error-fn "reading the proposal")))

(defun claif--update (server proposal)
  "Store PROPOSAL for SERVER and redraw its overlays and review buffer."
  (unless (member (plist-get proposal :id) (claif--order server))
    (push (plist-get proposal :id) (claif--order server)))
  (puthash (plist-get proposal :id) proposal (claif--proposals server))
  (claif--draw-overlays proposal)
  (let ((review (get-buffer "*claif review*")))
    (when (and review (equal (buffer-local-value 'claif--review-proposal review) (plist-get proposal :id)))
      (with-current-buffer review (claif--render server proposal)))))

(defun claif--clear-overlays (proposal-id)
  "Delete the overlays of PROPOSAL-ID in every buffer."
  (dolist (buffer (buffer-list))
    (with-current-buffer buffer
      (save-restriction
        (widen)
        (dolist (overlay (overlays-in (point-min) (point-max)))
          (when (equal (overlay-get overlay 'claif-proposal) proposal-id)
            (delete-overlay overlay)))))))

(defun claif--draw-overlays (proposal)
  "Mark the pending hunks of PROPOSAL in the buffers visiting their files."
  (let* ((id (plist-get proposal :id))
         (pending (claif--hunks proposal '("pending")))
         (total (length (claif--hunks proposal))))
    (claif--clear-overlays id)
    (dolist (hunk pending)
      (when-let ((buffer (find-buffer-visiting (eglot--uri-to-path (plist-get hunk :uri))))
                 (range (plist-get hunk :range)))
        (with-current-buffer buffer
          (let* ((beg (eglot--lsp-position-to-point (plist-get range :start)))
                 (end (eglot--lsp-position-to-point (plist-get range :end)))
                 (overlay (make-overlay beg end nil nil t))
                 (number (1+ (seq-position (claif--hunks proposal) hunk
                                           (lambda (a b) (equal (plist-get a :id) (plist-get b :id)))))))
            (overlay-put overlay 'claif-proposal id)
            (overlay-put overlay 'claif-hunk (plist-get hunk :id))
            (overlay-put overlay 'face 'claif-pending-hunk)
            (overlay-put overlay 'help-echo "claif: pending hunk (M-x claif-review)")
            (overlay-put overlay 'before-string
                         (propertize (format "claif: %s · hunk %d of %d pending · M-x claif-review\n"
                                             (plist-get proposal :title) number total)
                                     'face 'claif-hunk-label))))))))

(cl-defmethod eglot-handle-notification
  ((server claif-eglot-server) (_method (eql claif/proposalsChanged)) &key proposals)
  "Refresh the PROPOSALS that changed on SERVER."
  (claif--on-proposals-changed server proposals))

(defun claif--on-proposals-changed (server proposals)
  "Refresh the PROPOSALS (a sequence of plists with an :id) that changed on SERVER."
  (seq-doseq (entry proposals)
    (claif--fetch-proposal server (plist-get entry :id))))

(defun claif--draw-known-proposals (server)
  "Mark the pending hunks of SERVER's known proposals in their buffers."
  (maphash (lambda (_id proposal) (claif--draw-overlays proposal)) (claif--proposals server)))

(defun claif--draw-on-open ()
  "Mark the pending hunks of known proposals in a newly managed buffer."
  (when-let ((server (and eglot--managed-mode (claif--eglot-current-server))))
    (claif--draw-known-proposals server)))

(add-hook 'eglot-managed-mode-hook #'claif--draw-on-open)

;;;; Accepting without eglot's second question

(cl-defmethod eglot-handle-request
  ((server claif-eglot-server) (_method (eql workspace/applyEdit)) &key label &allow-other-keys)
  "Apply SERVER's edit at once when claif's own accept caused it.
LABEL names the edit; any other edit goes through eglot's question.
The user already chose Accept, so eglot's \"Proceed?\" would ask twice."
  (let ((eglot-confirm-server-initiated-edits
         (if (member label (claif--accepting server)) nil eglot-confirm-server-initiated-edits)))
    (cl-call-next-method)))

(defun claif--decide (server proposal command hunks)
  "Send COMMAND for HUNKS of PROPOSAL on SERVER.
COMMAND is \"claif.accept\" or \"claif.reject\"; HUNKS nil means the
whole proposal."
  (let* ((label (plist-get proposal :title))
         (argument (append (list :proposal (plist-get proposal :id)) (and hunks (list :hunks (vconcat hunks)))))
         (accept (equal command "claif.accept"))
         (done (lambda ()
                 (when accept
                   (setf (claif--accepting server) (cl-remove label (claif--accepting server) :count 1 :test #'equal))))))
    (when accept (push label (claif--accepting server)))
    (claif--command server command argument
                    :success-fn (lambda (result) (funcall done) (claif--decided server command hunks result))
                    :error-fn (lambda (error) (funcall done)
                                (message "claif: %s" (plist-get error :message))))))

(defun claif--count (n thing)
  "N THING, plural when N is not 1."
  (format "%d %s%s" n thing (if (= n 1) "" "s")))

(defun claif--decided (server command hunks result)
  "Report RESULT of COMMAND on HUNKS (nil: all) and redraw from SERVER's answer."
  (let ((proposal (plist-get result :proposal)))
    (when proposal (claif--update server proposal))
    (if (equal command "claif.reject")
        (message "claif: rejected %s" (if hunks (claif--count (length hunks) "hunk") "the proposal"))
      (let ((accepted (length (plist-get result :accepted)))
            (stale (length (plist-get result :stale)))
            (reason (plist-get result :reason)))
        (message "claif: %s%s%s"
                 (if (> accepted 0) (format "accepted %s" (claif--count accepted "hunk")) "nothing accepted")
                 (if (> stale 0) (format ", %s stale" (claif--count stale "hunk")) "")
                 (if reason (format ": %s" reason) ""))))))

(cl-defmethod eglot-execute-command ((server claif-eglot-server) command arguments)
  "Run claif's COMMAND with ARGUMENTS on SERVER the way this package does.
eglot's code-action menu ends here: asks go asynchronously (eglot's own
request gives up after 10 s) with a free instruction for \"Ask...\", and
accepts and rejects answer in claif's words without a second question."
  (unless (claif--execute server command arguments)
    (cl-call-next-method)))

(defun claif--execute (server command arguments)
  "Run claif's COMMAND with ARGUMENTS (a vector) on SERVER as this package does.
A client's code-action menu ends here.  Nil when COMMAND is not one of
the commands the package runs itself."
  (let* ((name (format "%s" command))
         (argument (and (> (length arguments) 0) (copy-sequence (aref arguments 0))))
         (proposal (and (consp argument) (gethash (plist-get argument :proposal) (claif--proposals server)))))
    (cond ((equal name "claif.ask")
           (let ((argument (claif--with-instruction argument)))
             (claif--send-ask argument (or (plist-get argument :instruction) (plist-get argument :action)) server))
           t)
          ((and proposal (member name '("claif.accept" "claif.reject")))
           (claif--decide server proposal name (append (plist-get argument :hunks) nil))
           t)
          ((and proposal (equal name "claif.refine"))
           ;; "Fix again" carries its diagnostic; "Refine..." wants the user's own words, not canned ones.
           (unless (or (plist-get argument :feedback) (plist-get argument :diagnostic))
             (setq argument (plist-put argument :feedback (claif--read-feedback proposal))))
           (claif--send-ask argument (concat "refine: " (plist-get proposal :title)) server name)
           t)
          ((and proposal (equal name "claif.retry"))
           (claif--send-ask argument (concat "retry: " (plist-get proposal :title)) server name)
           t))))

;;;; Deciding from the source buffer

(defun claif--hunk-overlay-at-point ()
  "The overlay of the pending hunk at point, or a `user-error'."
  (or (seq-find (lambda (o) (overlay-get o 'claif-hunk))
                (overlays-in (line-beginning-position) (1+ (line-end-position))))
      (user-error "No pending claif hunk at point")))

(defun claif--decide-at-point (command)
  "Send COMMAND for the pending hunk at point in the source buffer."
  (let* ((server (claif--server))
         (overlay (claif--hunk-overlay-at-point))
         (proposal (gethash (overlay-get overlay 'claif-proposal) (claif--proposals server))))
    (claif--decide server proposal command (list (overlay-get overlay 'claif-hunk)))))

;;;###autoload
(defun claif-accept-hunk ()
  "Accept the pending hunk at point in the source buffer."
  (interactive)
  (claif--decide-at-point "claif.accept"))

;;;###autoload
(defun claif-reject-hunk ()
  "Reject the pending hunk at point in the source buffer."
  (interactive)
  (claif--decide-at-point "claif.reject"))

;;;; The review buffer

(defvar-local claif--review-proposal nil "The id of the proposal this review buffer shows.")
(defvar-local claif--review-server nil "The server of the proposal this review buffer shows.")

(defvar claif-review-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map "a" #'claif-review-accept-hunk)
    (define-key map "r" #'claif-review-reject-hunk)
    (define-key map "A" #'claif-review-accept-all)
    (define-key map "R" #'claif-review-reject-all)
    (define-key map "n" #'claif-review-next-hunk)
    (define-key map "p" #'claif-review-previous-hunk)
    (define-key map "g" #'claif-review-refresh)
    (define-key map "f" #'claif-refine)
    (define-key map "t" #'claif-retry)
    (define-key map "w" #'claif-review-raw-answer)
    (define-key map "q" #'quit-window)
    map)
  "Keys of the *claif review* buffer.")

(define-derived-mode claif-review-mode diff-mode "claif-review"
  "Review a claif proposal, one diff hunk per proposed change.
\\<claif-review-mode-map>\\[claif-review-accept-hunk] accepts the hunk at point, \\[claif-review-reject-hunk] rejects it,
\\[claif-review-accept-all] and \\[claif-review-reject-all] decide the whole proposal,
\\[claif-review-next-hunk] and \\[claif-review-previous-hunk] move between hunks,
\\[claif-refine] refines the proposal with your feedback (with a prefix
argument, about the hunk at point), \\[claif-retry] asks again, and
\\[claif-review-raw-answer] shows the model's raw answer.

\\{claif-review-mode-map}"
  ;; diff-mode lets its read-only keys (n, p, a, ...) override the major mode's map.
  (setq-local minor-mode-overriding-map-alist nil)
  (setq buffer-read-only t)
  (setq header-line-format
        (substitute-command-keys
         "claif: \\<claif-review-mode-map>\\[claif-review-accept-hunk] accept hunk  \\[claif-review-reject-hunk] reject  \
\\[claif-review-accept-all] accept all  \\[claif-review-reject-all] reject all  \\[claif-review-next-hunk]/\
\\[claif-review-previous-hunk] next/previous  \\[claif-refine] refine  \\[claif-retry] retry  \\[claif-review-refresh] refresh  \\[quit-window] quit")))

(defun claif--lines (text)
  "TEXT as a list of lines, without the empty one after a final newline."
  (let ((lines (split-string (or text "") "\n")))
    (if (equal (car (last lines)) "") (butlast lines) lines)))

(defun claif--render (server proposal)
  "Fill the current buffer with PROPOSAL of SERVER as a diff, a hunk per change."
  (let ((inhibit-read-only t) (line (line-number-at-pos)) (shown 0))
    (erase-buffer)
    (setq claif--review-server server claif--review-proposal (plist-get proposal :id))
    (insert (format "claif proposal %s: %s (%s%s)\n" (plist-get proposal :id) (plist-get proposal :title)
                    (plist-get proposal :state)
                    (let ((revision (plist-get proposal :revision)))
                      (if (and (numberp revision) (> revision 1)) (format ", revision %d" revision) ""))))
    (claif--insert-unplaced proposal)
    (seq-doseq (file (plist-get proposal :files))
      (let ((hunks (seq-filter (lambda (h) (member (plist-get h :state) claif--open-states))
                               (plist-get file :hunks)))
            (offset 0))
        (when hunks
          (insert (format "--- a/%s\n+++ b/%s\n" (plist-get file :path) (plist-get file :path)))
          (dolist (hunk hunks)
            (let* ((start (point))
                   (old (claif--lines (plist-get hunk :oldText)))
                   (new (claif--lines (plist-get hunk :newText)))
                   (range (plist-get hunk :range))
                   (first (if range (1+ (plist-get (plist-get range :start) :line)) 0))
                   (stale (equal (plist-get hunk :state) "stale")))
              (insert (format "@@ -%d,%d +%d,%d @@%s\n" first (length old) (+ first offset) (length new)
                              (if stale (format " stale: %s" (plist-get hunk :reason)) "")))
              (dolist (l old) (insert "-" l "\n"))
              (dolist (l new) (insert "+" l "\n"))
              (put-text-property start (point) 'claif-hunk (plist-get hunk :id))
              (setq shown (1+ shown))
              (cl-incf offset (- (length new) (length old))))))))
    (when (= shown 0)
      (insert (format "Nothing left to review (%s).\n" (plist-get proposal :state))))
    (goto-char (point-min))
    (forward-line (1- line))
    (unless (get-text-property (point) 'claif-hunk)
      (when-let ((next (claif--next-hunk-position))) (goto-char next)))))

(defun claif--unplaced (proposal)
  "The hunks of PROPOSAL's answer that could not be placed (a list)."
  (append (plist-get (plist-get proposal :partial) :unplaced) nil))

(defun claif--insert-unplaced (proposal)
  "Say which hunks of PROPOSAL's answer could not be placed, and why."
  (when-let ((unplaced (claif--unplaced proposal)))
    (insert (format "A partial answer: %s could not be placed (w shows the raw answer):\n"
                    (claif--count (length unplaced) "hunk")))
    ;; Each expected line behind "| ", so diff-mode never reads it as a change.
    (dolist (entry unplaced)
      (insert (format "  %s, hunk %s: %s\n" (plist-get entry :path) (plist-get entry :hunk) (plist-get entry :reason)))
      (dolist (line (claif--lines (plist-get entry :expected)))
        (insert "    | " line "\n")))
    (insert "\n")))

(defun claif--review-first (server proposal)
  "Open the review buffer on PROPOSAL of SERVER and say so."
  (claif--review-open server proposal)
  (let ((unplaced (claif--unplaced proposal)))
    (message "claif: %s in %s: review it in *claif review*%s"
             (claif--count (length (claif--hunks proposal '("pending"))) "hunk")
             (string-join (seq-map (lambda (f) (plist-get f :path)) (plist-get proposal :files)) ", ")
             (if unplaced
                 (format " (a partial answer: %s could not be placed; w there shows the raw answer)"
                         (claif--count (length unplaced) "more hunk"))
               ""))))

(defun claif--review-open (server proposal)
  "Show PROPOSAL of SERVER in the *claif review* buffer."
  (let ((buffer (get-buffer-create "*claif review*")))
    (with-current-buffer buffer
      (unless (derived-mode-p 'claif-review-mode) (claif-review-mode))
      (setq claif--review-proposal nil)
      (goto-char (point-min))
      (claif--render server proposal))
    (display-buffer buffer)
    buffer))

;;;###autoload
(defun claif-review (&optional proposal-id)
  "Review PROPOSAL-ID (by default the newest one still pending)."
  (interactive)
  (let* ((server (claif--server))
         (proposals (claif--proposals server))
         (id (or proposal-id
                 (seq-find (lambda (id) (member (plist-get (gethash id proposals) :state) '("pending" "partial" "stale")))
                           (claif--order server)))))
    (unless id (user-error "No claif proposal to review"))
    (pop-to-buffer (claif--review-open server (gethash id (claif--proposals server))))))

(defun claif--review-context ()
  "The server and proposal of this review buffer."
  (unless (and claif--review-server claif--review-proposal)
    (user-error "Not a claif review buffer"))
  (list claif--review-server (gethash claif--review-proposal (claif--proposals claif--review-server))))

(defun claif--hunk-at-point ()
  "The id of the hunk at point in the review buffer."
  (or (get-text-property (point) 'claif-hunk)
      (user-error "No hunk at point")))

(defun claif-review-accept-hunk ()
  "Accept the hunk at point."
  (interactive)
  (pcase-let ((`(,server ,proposal) (claif--review-context)))
    (claif--decide server proposal "claif.accept" (list (claif--hunk-at-point)))))

(defun claif-review-reject-hunk ()
  "Reject the hunk at point."
  (interactive)
  (pcase-let ((`(,server ,proposal) (claif--review-context)))
    (claif--decide server proposal "claif.reject" (list (claif--hunk-at-point)))))

(defun claif-review-accept-all ()
  "Accept every pending hunk of this proposal."
  (interactive)
  (pcase-let ((`(,server ,proposal) (claif--review-context)))
    (claif--decide server proposal "claif.accept" nil)))

(defun claif-review-reject-all ()
  "Reject the whole proposal."
  (interactive)
  (pcase-let ((`(,server ,proposal) (claif--review-context)))
    (claif--decide server proposal "claif.reject" nil)))

(defun claif-review-refresh ()
  "Fetch this proposal again."
  (interactive)
  (pcase-let ((`(,server ,proposal) (claif--review-context)))
    (claif--fetch-proposal server (plist-get proposal :id))))

(defun claif-review-raw-answer ()
  "Show the model's raw answer of this proposal's revision in a buffer."
  (interactive)
  (pcase-let ((`(,_server ,proposal) (claif--review-context)))
    (let ((answer (plist-get proposal :answer))
          (buffer (get-buffer-create (format "*claif answer %s*" (plist-get proposal :id)))))
      (unless answer (user-error "The server kept no raw answer for this proposal"))
      (with-current-buffer buffer
        (let ((inhibit-read-only t))
          (erase-buffer)
          (if (require 'markdown-mode nil t) (markdown-mode) (text-mode))
          (insert answer)
          (goto-char (point-min))
          (view-mode 1)))
      (display-buffer buffer))))

(defun claif--next-hunk-position ()
  "The start of the hunk after the one at point, or nil."
  (let ((next (next-single-property-change (point) 'claif-hunk)))
    (while (and next (not (get-text-property next 'claif-hunk)))
      (setq next (next-single-property-change next 'claif-hunk)))
    next))

(defun claif-review-next-hunk ()
  "Move to the next hunk."
  (interactive)
  (let ((next (claif--next-hunk-position)))
    (if next (goto-char next) (message "claif: no next hunk"))))

(defun claif--hunk-start (pos)
  "The start of the hunk at POS (POS itself when no hunk is there)."
  (if (get-text-property pos 'claif-hunk)
      (or (previous-single-property-change (1+ pos) 'claif-hunk) (point-min))
    pos))

(defun claif-review-previous-hunk ()
  "Move to the previous hunk."
  (interactive)
  (let ((pos (1- (claif--hunk-start (point)))))
    (while (and (> pos (point-min)) (not (get-text-property pos 'claif-hunk)))
      (setq pos (1- pos)))
    (if (and (>= pos (point-min)) (get-text-property pos 'claif-hunk))
        (goto-char (claif--hunk-start pos))
      (message "claif: no previous hunk"))))

;;;; Refining and retrying a proposal

(defvar claif-feedback-history nil "Feedback given to `claif-refine', newest first.")

(defun claif--read-feedback (proposal)
  "Read the user's feedback on PROPOSAL in the minibuffer."
  (let ((feedback (read-string (format "claif refine %s: " (plist-get proposal :title)) nil
                               'claif-feedback-history)))
    (when (string-blank-p feedback) (user-error "Feedback is needed to refine"))
    feedback))

(defun claif--proposal-at-point ()
  "The server, proposal and hunk id at point.
From the review buffer, a pending hunk's overlay, or the newest pending one."
  (if claif--review-proposal
      (list claif--review-server (gethash claif--review-proposal (claif--proposals claif--review-server))
            (get-text-property (point) 'claif-hunk))
    (let* ((server (claif--server))
           (overlay (seq-find (lambda (o) (overlay-get o 'claif-hunk))
                              (overlays-in (line-beginning-position) (1+ (line-end-position)))))
           (id (if overlay (overlay-get overlay 'claif-proposal)
                 (seq-find (lambda (id) (member (plist-get (gethash id (claif--proposals server)) :state)
                                                '("pending" "partial" "stale")))
                           (claif--order server)))))
      (unless id (user-error "No claif proposal here to refine"))
      (list server (gethash id (claif--proposals server)) (and overlay (overlay-get overlay 'claif-hunk))))))

;;;###autoload
(defun claif-refine (feedback &optional only-hunk)
  "Refine the proposal at point with FEEDBACK; its answer is the next revision.
The proposal is the one of the review buffer, of the pending hunk at
point in a source buffer, or else the newest pending one.  With a
prefix argument (ONLY-HUNK), the feedback is about the hunk at point."
  (interactive
   (pcase-let ((`(,_server ,proposal ,_hunk) (claif--proposal-at-point)))
     (list (claif--read-feedback proposal) current-prefix-arg)))
  (pcase-let ((`(,server ,proposal ,hunk) (claif--proposal-at-point)))
    (when (and only-hunk (not hunk)) (user-error "No hunk at point"))
    (claif--send-ask (append (list :proposal (plist-get proposal :id) :feedback feedback)
                             (and only-hunk (list :hunks (vector hunk))))
                     (concat "refine: " (plist-get proposal :title)) server "claif.refine")))

;;;###autoload
(defun claif-retry ()
  "Ask the question of the proposal at point again, past the cache.
It goes as a fresh first turn; the answer is the next revision."
  (interactive)
  (pcase-let ((`(,server ,proposal ,_hunk) (claif--proposal-at-point)))
    (claif--send-ask (list :proposal (plist-get proposal :id))
                     (concat "retry: " (plist-get proposal :title)) server "claif.retry")))

;;;; Keys

(defvar claif-command-map
  (let ((map (make-sparse-keymap)))
    (define-key map "a" #'claif-ask)
    (define-key map "e" #'claif-explain)
    (define-key map "x" #'claif-action)
    (define-key map "f" #'claif-fix)
    (define-key map "r" #'claif-review)
    (define-key map "c" #'claif-cancel)
    (define-key map "y" #'claif-accept-hunk)
    (define-key map "n" #'claif-reject-hunk)
    (define-key map "R" #'claif-refine)
    (define-key map "g" #'claif-retry)
    map)
  "Keymap of claif's commands, for a prefix key.
For example: (define-key eglot-mode-map (kbd \"C-c a\") claif-command-map).")
(fset 'claif-command-map claif-command-map)

(provide 'claif)
;;; claif.el ends here
