;;; dir_locals.el --- a repository's .dir-locals.el cannot set claif's user-only settings  -*- lexical-binding: t; -*-

;;; Commentary:
;; The workspace's .dir-locals.el sets a transcript to write, a base URL, and a server command.  Even when
;; the user lets every local variable through (`enable-local-variables' :all), claif ignores them, says
;; so, and starts the user's own server with the user's own settings.

;;; Code:

(require 'harness)

(setq enable-local-variables :all)

(claiftest-run
 (lambda ()
   (let* ((server (claiftest-open)) (source (current-buffer)))
     (claiftest-put 'buffer_local_record (buffer-local-value 'claif-record source))
     (claiftest-put 'risky (vconcat (mapcar (lambda (s) (list (symbol-name s) (and (get s 'risky-local-variable) t)
                                                              (claiftest-bool (get s 'safe-local-variable))))
                                            '(claif-server-command claif-providers claif-record claif-approval
                                                                   claif-settings))))
     (claiftest-put 'server_command (vconcat (process-command (jsonrpc--process server))))
     (let ((settings (jsonrpc-request server :workspace/executeCommand
                                      `(:command "claif.settings"
                                        :arguments [(:uri ,(eglot--path-to-uri (buffer-file-name)))]))))
       (claiftest-put 'record (plist-get (plist-get settings :settings) :record))
       (claiftest-put 'openai (plist-get (plist-get (plist-get settings :settings) :providers) :openai))
       (claiftest-put 'approval (plist-get (plist-get settings :settings) :approval))))))
;;; dir_locals.el ends here
