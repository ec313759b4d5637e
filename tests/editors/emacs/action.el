;;; action.el --- `claif-action' runs an action the server lists; eglot's own Accept refreshes the overlays  -*- lexical-binding: t; -*-

;;; Commentary:
;; The user runs `claif-action' and picks the server's docstrings action.  Then, in the source, they
;; accept the first hunk through eglot's own code-action menu (not claif's review): eglot asks no second
;; question, and the overlays and the review follow.  Last, eglot's menu's "Ask..." reads a free
;; instruction and runs asynchronously like `claif-ask'.

;;; Code:

(require 'harness)

(defvar claiftest-offered nil "What `completing-read' offered, per prompt.")
(defvar claiftest-want 'accept "Which of eglot's code actions to pick: `accept' or `ask'.")
(defvar claiftest-questions nil "Questions eglot asked with `y-or-n-p'.")

(defun claiftest-pick (prompt collection &rest _)
  "Choose from COLLECTION (an alist of titles) for PROMPT as the scenario wants."
  (push (cons prompt (vconcat (mapcar #'car collection))) claiftest-offered)
  (car (seq-find (lambda (entry)
                   (let* ((action (cdr entry))
                          (command (if (stringp (plist-get action :command)) action (plist-get action :command)))
                          (argument (ignore-errors (aref (plist-get command :arguments) 0))))
                     (cond ((string-prefix-p "claif action" prompt) (equal (plist-get action :action) "docstrings"))
                           ((eq claiftest-want 'ask) (equal (plist-get argument :action) "ask"))
                           (t (and (equal (plist-get command :command) "claif.accept") (plist-get argument :hunks))))))
                 collection)))

(advice-add 'completing-read :override #'claiftest-pick)
(advice-add 'y-or-n-p :override (lambda (prompt) (push prompt claiftest-questions) t))
(advice-add 'read-string :override (lambda (prompt &rest _) (push (cons prompt []) claiftest-offered) "make it faster"))

(claiftest-run
 (lambda ()
   (let* ((server (claiftest-open)) (source (current-buffer)))
     (goto-char (point-min))
     (search-forward "s = 0")
     (claif-action)
     (let ((review (claiftest-wait "the review buffer" (lambda () (get-buffer "*claif review*")))))
       (claiftest-wait "the review's hunks" (lambda () (claiftest-hunk-shown-p review "p1-h2")))
       (claiftest-put 'review (claiftest-buffer-text review))
       (claiftest-put 'overlays (claiftest-overlays))
       (goto-char (point-min))
       (search-forward "s = 0")
       ;; As when typed: eglot pops a mouse menu unless the command came from the keyboard.
       (let ((last-nonmenu-event ?\r))
         (eglot-code-actions (line-beginning-position) (line-end-position) nil t))
       (claiftest-wait "the accepted hunk" (lambda () (save-excursion (goto-char (point-min))
                                                                      (search-forward "result = 0" nil t))))
       (claiftest-wait "the overlays to follow" (lambda () (= (length (claiftest-overlays)) 1)))
       (claiftest-wait "the review to follow" (lambda () (not (claiftest-hunk-shown-p review "p1-h1"))))
       (claiftest-wait "the accept's message" (lambda () (member "claif: accepted 1 hunk" claiftest-messages)))
       (claiftest-put 'overlays_after (claiftest-overlays))
       (claiftest-put 'review_after (claiftest-buffer-text review))
       (claiftest-put 'after (claiftest-buffer-text source))
       ;; eglot's "Ask..." action: a free instruction, sent asynchronously.
       (setq claiftest-want 'ask)
       (let ((last-nonmenu-event ?\r))
         (eglot-code-actions (line-beginning-position) (line-end-position) nil t))
       (claiftest-put 'running_after_menu_ask (length (claif--asks server)))
       (claiftest-wait "the second proposal" (lambda () (gethash "p2" (claif--proposals server))))
       (claiftest-put 'second_title (plist-get (gethash "p2" (claif--proposals server)) :title))
       (claiftest-put 'offered (vconcat (mapcar (lambda (e) (vector (car e) (cdr e))) (reverse claiftest-offered))))
       (claiftest-put 'questions (vconcat claiftest-questions))))))
;;; action.el ends here
