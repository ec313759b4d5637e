;;; harness.el --- shared setup of the Emacs scenarios in tests/editors/emacs  -*- lexical-binding: t; -*-

;;; Commentary:
;; Loaded by `emacs --batch -Q -l harness.el -l <scenario>.el'.  It reads the test's CLAIFTEST_EMACS_*
;; variables, starts eglot with editors/emacs/claif.el against the real claif-lsp server, records every
;; message the user would see, and writes the scenario's findings as JSON when Emacs exits.

;;; Code:

(require 'cl-lib)
(require 'json)
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path dir))
(add-to-list 'load-path (getenv "CLAIFTEST_EMACS_PACKAGE"))
(require 'eglot)
(require 'claif)

(defvar claiftest-result nil "Findings of the scenario, an alist written as JSON.")
(defvar claiftest-messages nil "Every message shown, newest first.")
(defvar claiftest-start (float-time) "When the run began.")
(defvar claiftest-file (getenv "CLAIFTEST_EMACS_FILE") "The workspace file the scenario edits.")

(defun claiftest-bool (value)
  "VALUE as a JSON boolean."
  (if value t :json-false))

(defun claiftest-put (key value)
  "Record VALUE under KEY in the result."
  (setf (alist-get key claiftest-result) value))

(advice-add 'message :around
            (lambda (orig format &rest args)
              (let ((text (apply orig format args)))
                (when text (push text claiftest-messages))
                text)))

(defun claiftest-messages-since (count)
  "The messages shown after the first COUNT, oldest first."
  (nreverse (butlast claiftest-messages count)))

(defun claiftest-wait (what predicate &optional seconds)
  "Wait up to SECONDS (60) for PREDICATE to be non-nil; fail naming WHAT."
  (let ((deadline (+ (float-time) (or seconds 60))) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (unless value (error "Timed out waiting for %s" what))
    value))

(defun claiftest-write ()
  "Write the result file."
  (claiftest-put 'messages (vconcat (reverse claiftest-messages)))
  (claiftest-put 'seconds (- (float-time) claiftest-start))
  (with-temp-file (getenv "CLAIFTEST_EMACS_RESULT")
    (insert (json-encode claiftest-result))))

(defun claiftest-settings ()
  "The test's claif settings (JSON in CLAIFTEST_EMACS_SETTINGS) as a plist."
  (json-parse-string (getenv "CLAIFTEST_EMACS_SETTINGS") :object-type 'plist :false-object :json-false
                     :null-object nil))

(defun claiftest-other-settings (settings)
  "SETTINGS without the keys claif has options of its own for."
  (let (others)
    (while settings
      (unless (memq (car settings) '(:provider :providers))
        (setq others (plist-put others (car settings) (cadr settings))))
      (setq settings (cddr settings)))
    others))

(defun claiftest-set-options ()
  "Set claif's options as a user's init file would."
  (let ((settings (claiftest-settings)))
    (setq claif-server-command (list (getenv "CLAIFTEST_EMACS_PYTHON") "-m" "claif_lsp"
                                     "--log-file" (getenv "CLAIFTEST_EMACS_SERVER_LOG"))
          claif-provider (plist-get settings :provider)
          claif-providers (plist-get settings :providers)
          claif-settings (claiftest-other-settings settings))))

(defun claiftest-configure ()
  "Set claif up for eglot as a user's init file would."
  (claiftest-set-options)
  (claif-eglot-register))

(defun claiftest-open ()
  "Visit the workspace file in `python-mode' with claif's eglot server, and return the server."
  (find-file claiftest-file)
  (python-mode)
  (apply #'eglot (eglot--guess-contact))
  (claiftest-wait "the server" (lambda () (let ((server (eglot-current-server)))
                                            (and server (eglot--capabilities server) server)))))

(defun claiftest-buffer-text (&optional buffer)
  "The text of BUFFER (the current one by default), without properties."
  (with-current-buffer (or buffer (current-buffer))
    (buffer-substring-no-properties (point-min) (point-max))))

(defun claiftest-overlays ()
  "The before-strings of claif's overlays in the current buffer, in order, with their lines."
  (vconcat
   (mapcar (lambda (o) (list (line-number-at-pos (overlay-start o))
                             (substring-no-properties (overlay-get o 'before-string))))
           (sort (seq-filter (lambda (o) (overlay-get o 'claif-hunk)) (overlays-in (point-min) (point-max)))
                 (lambda (a b) (< (overlay-start a) (overlay-start b)))))))

(defun claiftest-hunk-shown-p (buffer id)
  "Non-nil when the review BUFFER shows the hunk ID."
  (with-current-buffer buffer
    (let ((pos (point-min)) found)
      (while (and (not found) pos (< pos (point-max)))
        (if (equal (get-text-property pos 'claif-hunk) id)
            (setq found pos)
          (setq pos (next-single-property-change pos 'claif-hunk))))
      found)))

(defun claiftest-proposal-state (server id)
  "The state SERVER's claif package knows proposal ID to be in."
  (plist-get (gethash id (claif--proposals server)) :state))

(defun claiftest-press (keys buffer)
  "Run the command KEYS are bound to in BUFFER, as typing them would."
  (with-current-buffer buffer
    (let ((command (key-binding (kbd keys))))
      (claiftest-put (intern (concat "key " keys)) (symbol-name command))
      (call-interactively command))))

(defvar claiftest-configure t
  "Non-nil: set claif up as `claiftest-configure' does; nil: the scenario does it itself.")

(defun claiftest-run (scenario)
  "Run SCENARIO (a function), record an error if it signals one, write the result and exit."
  (condition-case err
      (progn (when claiftest-configure (claiftest-configure)) (funcall scenario))
    (error (claiftest-put 'error (error-message-string err))
           (when-let ((server (ignore-errors (with-current-buffer (find-buffer-visiting claiftest-file)
                                               (eglot-current-server)))))
             (claiftest-put 'events (with-current-buffer (jsonrpc-events-buffer server)
                                      (buffer-substring-no-properties (max (point-min) (- (point-max) 6000))
                                                                      (point-max)))))
           ;; Under lsp-mode: its traffic (with `lsp-log-io') and its own log.
           (dolist (log (seq-filter (lambda (b) (string-prefix-p "*lsp-log" (buffer-name b))) (buffer-list)))
             (with-current-buffer log
               (claiftest-put (intern (buffer-name log))
                              (buffer-substring-no-properties (max (point-min) (- (point-max) 4000))
                                                              (point-max)))))))
  (claiftest-write)
  (let ((server (ignore-errors (with-current-buffer (find-buffer-visiting claiftest-file) (eglot-current-server)))))
    (when server (ignore-errors (eglot-shutdown server))))
  (kill-emacs (if (alist-get 'error claiftest-result) 1 0)))

(provide 'harness)
;;; harness.el ends here
